// A test file whose tests each start their own cluster and open pages on it:
// one browser for the file; after each test its pages are closed and the
// transport it used stops its peers and removes their data.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser } from 'playwright';
import { launchBrowser } from './ui-helpers.ts';
import type { UiTransport } from './ui-transports.ts';

/** PageTests is the file's browser, and `use`, which a test calls with the transport it starts a cluster on. */
export interface PageTests {
  browser(): Browser;
  use(transport: UiTransport): UiTransport;
}

/** usePageTests registers the file's beforeAll, afterEach and afterAll. */
export function usePageTests(): PageTests {
  let browser: Browser | null = null;
  let transport: UiTransport | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 120_000);
  afterEach(async () => {
    await Promise.all((browser?.contexts() ?? []).map((context) => context.close()));
    await transport?.cleanup();
    transport = null;
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    browser: () => {
      if (browser === null) throw new Error('the browser is not launched yet: call browser() inside a test');
      return browser;
    },
    use: (t) => (transport = t),
  };
}

// Helpers for browser tests of the web UI a peer serves: launch Debian's
// Chromium through Playwright, open a peer's page and collect its errors. The
// pages are built beforehand by test/build-setup.ts (scripts/build-renderer.ts).
import { chromium, type Browser, type Page } from 'playwright';
import type { PeerProcess } from '../cluster/peer-process.ts';

/** CHROMIUM_ARGS keep Debian's Chromium quiet and working as root in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

/** launchBrowser starts Debian's Chromium (apt-get install chromium). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** PageProblems collects what a page reported as broken: uncaught errors and console errors (CSP violations among them). */
export interface PageProblems {
  errors: string[];
}

/** openPeerPage opens the UI a peer serves at `/` in a new page and records its errors. */
export async function openPeerPage(browser: Browser, peer: PeerProcess, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport });
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`${peer.name}: ${error.message}`));
  page.on('console', (msg) => {
    // A stopped peer makes the event stream's fetch fail in the console; that is expected, everything else is not.
    if (msg.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED/.test(msg.text())) {
      problems.errors.push(`${peer.name}: ${msg.text()}`);
    }
  });
  await page.goto(`${peer.ready!.api}/`);
  return { page, problems };
}

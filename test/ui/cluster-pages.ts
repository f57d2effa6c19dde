// A describe block's cluster of three peers with a page open on each, over one
// transport: started before the block's tests (one cluster for all of them:
// each browser test costs seconds), closed and cleaned up after.
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright';
import type { PageProblems } from './ui-helpers.ts';
import type { UiPage, UiPeer, UiTransport } from './ui-transports.ts';

/** ClusterPages is filled in before the block's first test: the peers, their opened pages, the pages, their problems. */
export interface ClusterPages {
  peers: UiPeer[];
  opened: UiPage[];
  pages: Page[];
  problems: PageProblems[];
}

/** useClusterPages registers the block's beforeAll and afterAll; `browser` is read when they run. */
export function useClusterPages(transport: UiTransport, browser: () => Browser): ClusterPages {
  const c: ClusterPages = { peers: [], opened: [], pages: [], problems: [] };
  beforeAll(async () => {
    c.peers = await transport.startCluster();
    for (const peer of c.peers) c.opened.push(await transport.openPage(browser(), peer));
    c.pages = c.opened.map((o) => o.page);
    c.problems.push(...c.opened.map((o) => o.problems));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(c.pages.map((page) => page.close()));
    await transport.cleanup();
  });
  return c;
}

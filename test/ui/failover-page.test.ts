// After a failover, a page lists one leader: the leader of the current term.
// The page of a surviving follower is watched from before the leader dies until
// the new leader shows; at no moment may two members carry the "leader" badge
// (the dead leader's last status record stays fresh for a while after it died).
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { leaderOf } from '../cluster/cluster-helpers.ts';
import { waitFor } from '../cluster/peer-process.ts';
import { usePageTests } from './page-tests.ts';
import { UI_TRANSPORTS } from './ui-transports.ts';

const tests = usePageTests();

/** watchLeaders records, at every change of the page, the names of the members shown as leader; the result lists each distinct set seen. */
async function watchLeaders(page: Page): Promise<() => Promise<string[][]>> {
  await page.evaluate(() => {
    const seen: string[][] = [];
    const record = () => {
      const names = Array.from(document.querySelectorAll('ul[aria-label="Members"] > li'))
        .filter((li) => li.querySelector('.role-badge')?.textContent?.trim() === 'leader')
        .map((li) => li.querySelector('.member-name')?.textContent ?? '?');
      const last = seen.at(-1);
      if (last === undefined || last.join() !== names.join()) seen.push(names);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    (globalThis as unknown as { leadersSeen: string[][] }).leadersSeen = seen;
  });
  return () => page.evaluate(() => (globalThis as unknown as { leadersSeen: string[][] }).leadersSeen);
}

describe('FailoverPage', () => {
  it.each(UI_TRANSPORTS)('never shows the dead leader of an older term as leader beside the new one (over $name)', async (t) => {
    tests.use(t);
    const peers = await t.startCluster();
    const leader = await leaderOf(peers);
    const watched = peers.find((p) => p !== leader)!;
    const { page, problems } = await t.openPage(tests.browser(), watched);
    await page.getByRole('list', { name: 'Members' }).getByRole('listitem').nth(2).waitFor();
    const leadersSeen = await watchLeaders(page);
    await waitFor('the page shows the leader', async () => (await leadersSeen()).at(-1)?.join() === leader.name);

    await leader.kill();
    const next = await leaderOf(peers.filter((p) => p !== leader));
    await waitFor(`the page shows ${next.name} as leader`, async () => (await leadersSeen()).at(-1)?.join() === next.name, 20_000);
    // Let the dead leader's last record go stale (it was fresh for up to 2.5 s) while the page is still watched.
    await waitFor('the dead leader shown as unknown', async () =>
      /unknown/.test((await page.getByRole('list', { name: 'Members' }).getByRole('listitem')
        .filter({ has: page.locator('.member-name', { hasText: new RegExp(`^${leader.name}$`) }) }).locator('.role-badge').textContent()) ?? ''), 20_000);
    const seen = await leadersSeen();
    expect(seen.filter((names) => names.length > 1), JSON.stringify(seen)).toEqual([]);
    expect(problems.errors).toEqual([]);
  }, 90_000);
});

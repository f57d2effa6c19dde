// The page of a peer removed from its notebook says so and offers to ask to
// join again or to leave; both work from the page (over HTTP and over IPC).
import { describe, expect, it } from 'vitest';
import { leaderOf, removeMember } from '../cluster/cluster-helpers.ts';
import { waitFor } from '../cluster/peer-process.ts';
import { usePageTests } from './page-tests.ts';
import { UI_TRANSPORTS } from './ui-transports.ts';

const tests = usePageTests();

describe('RemovedPage', () => {
  it.each(UI_TRANSPORTS)('tells a removed peer\'s user, asks to join again, and leaves the notebook (over $name)', async (t) => {
    tests.use(t);
    const peers = await t.startCluster();
    const leader = await leaderOf(peers);
    const removed = peers.find((p) => p !== leader)!;
    const id = (await removed.api('GET', '/api/status')).body.id as string;
    const { page, problems } = await t.openPage(tests.browser(), removed);
    await page.getByRole('heading', { level: 1, name: 'Team notes' }).waitFor();
    const notice = page.getByRole('region', { name: 'Removed from the notebook' });
    expect(await notice.count()).toBe(0);

    await removeMember(peers, id);
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.textContent()).toContain('This peer was removed from “Team notes”');
    const self = page.getByRole('list', { name: 'Members' }).getByRole('listitem').filter({ hasText: 'this peer' });
    await self.locator('.role-badge', { hasText: /^removed$/ }).waitFor();

    await notice.getByRole('button', { name: 'Ask to join again' }).click();
    await notice.waitFor({ state: 'detached', timeout: 20_000 });
    await waitFor('the leader lists it as a voter again', async () =>
      (await (await leaderOf(peers)).api('GET', '/api/status')).body.members.some((m: { id: string; voter: boolean }) => m.id === id && m.voter), 30_000);

    await removeMember(peers, id);
    await notice.waitFor({ timeout: 20_000 });
    await notice.getByRole('button', { name: 'Leave the notebook' }).click();
    await notice.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('button', { name: 'Create notebook' }).waitFor({ timeout: 20_000 });
    expect((await removed.api('GET', '/api/status')).body).toMatchObject({ notebook: null, removed: false });
    expect(problems.errors).toEqual([]);
  }, 120_000);
});

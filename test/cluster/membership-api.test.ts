// Leadership transfer and member removal through the local API of a
// three-peer cluster, with the refusals a demanding user would hit.
import { afterEach, describe, expect, it } from 'vitest';
import { addNotes, leaderOf, startCluster, texts } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

describe('MembershipApi', () => {
  it('hands leadership to a chosen member, and refuses it off the leader', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const target = peers.find((p) => p !== leader)!;
    const other = peers.find((p) => p !== leader && p !== target)!;
    const refused = await other.api('POST', '/api/leadership', { to: target.ready!.peerId });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'not-leader', leaderId: leader.ready!.peerId });
    const moved = await leader.api('POST', '/api/leadership', { to: target.ready!.peerId });
    expect(moved.status).toBe(200);
    expect(moved.body.leaderId === target.ready!.peerId || moved.body.leaderId === null).toBe(true);
    await waitFor('the target leads', async () => (await target.api('GET', '/api/status')).body.role === 'leader');
    expect(await addNotes(target, 'after transfer', 5)).toHaveLength(5);
  }, 60_000);

  it('hands leadership over when the leader is stopped gently', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const { body: before } = await leader.api('GET', '/api/status');
    expect(await leader.stop()).toBe(0);
    expect(leader.logs.join('\n')).toMatch(/handing leadership to/);
    const survivors = peers.filter((p) => p !== leader);
    const next = await leaderOf(survivors);
    const { body: after } = await next.api('GET', '/api/status');
    expect(after.term).toBeGreaterThan(before.term);
    expect(await addNotes(next, 'after handover', 3)).toHaveLength(3);
  }, 60_000);

  it('removes a member: the others go on as a two-voter cluster and the removed peer gets no new notes', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const removed = peers.find((p) => p !== leader)!;
    const unknown = await leader.api('DELETE', '/api/members/12D3KooWNotAMember');
    expect(unknown.status).toBe(404);
    const res = await leader.api('DELETE', `/api/members/${removed.ready!.peerId}`);
    expect(res.status).toBe(200);
    const { body: status } = await leader.api('GET', '/api/status');
    expect(status.members.map((m: { id: string }) => m.id)).not.toContain(removed.ready!.peerId);
    expect(status.members.filter((m: { voter: boolean }) => m.voter)).toHaveLength(2);
    const before = (await texts(removed)).length;
    expect(await addNotes(leader, 'after removal', 5)).toHaveLength(5);
    const stayer = peers.find((p) => p !== leader && p !== removed)!;
    await waitFor('the remaining follower holds the new notes', async () => (await texts(stayer)).includes('after removal 4'));
    expect((await texts(removed)).length).toBe(before);
  }, 60_000);
});

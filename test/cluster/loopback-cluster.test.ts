// Three headless peers in separate processes on 127.0.0.1 (no mDNS, --peer):
// they form one cluster, replicate, survive kill -9 of the leader, and a peer
// that was away catches up, by snapshot when the log moved on without it.
import { afterEach, describe, expect, it } from 'vitest';
import { addNotes, LOCAL, leaderOf, startCluster, texts } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

describe('LoopbackCluster', () => {
  it('forms a cluster of three voters and replicates 1,000 notes to every peer in one order', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const follower = peers.find((p) => p !== leader)!;
    const viaLeader = await addNotes(leader, 'leader', 500);
    const viaFollower = await addNotes(follower, 'follower', 500);
    expect(viaLeader.length + viaFollower.length).toBe(1000);
    const expected = await texts(leader);
    expect(expected).toHaveLength(1000);
    for (const p of peers) await waitFor(`${p.name} holds 1,000 notes`, async () => (await texts(p)).length === 1000);
    for (const p of peers) expect(await texts(p)).toEqual(expected);
  }, 120_000);

  it('elects a new leader after kill -9 of the leader, loses no acknowledged note, and the killed peer catches up', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const acknowledged = await addNotes(leader, 'before', 200);
    await leader.kill();
    const survivors = peers.filter((p) => p !== leader);
    const next = await leaderOf(survivors);
    expect(next).not.toBe(leader);
    acknowledged.push(...await addNotes(next, 'after', 100));
    const held = await texts(next);
    for (const text of acknowledged) expect(held).toContain(text);
    await leader.start([...LOCAL, '--peer', next.ready!.addrs[0]!]);
    await waitFor('the restarted peer catches up', async () => (await texts(leader)).length === held.length);
    expect(await texts(leader)).toEqual(held);
  }, 120_000);

  it('catches up by snapshot a peer that was stopped while 10,000 notes were written', async () => {
    const peers = await startCluster(['--snapshot-every', '1000']);
    const leader = await leaderOf(peers);
    const away = peers.find((p) => p !== leader)!;
    expect(await away.stop()).toBe(0);
    await addNotes(leader, 'while away', 10_000, 64);
    const { body: before } = await leader.api('GET', '/api/status');
    expect(before.commitIndex).toBeGreaterThan(10_000);
    await away.start(['--snapshot-every', '1000', ...LOCAL, '--peer', leader.ready!.addrs[0]!]);
    const expected = await texts(leader);
    await waitFor('the returning peer holds every note', async () => (await texts(away)).length === expected.length, 60_000);
    expect(await texts(away)).toEqual(expected);
    expect(away.logs.join('\n')).toMatch(/snapshot/i);
  }, 240_000);

  it('runs Raft on the clock --tick-ms gives: with 50 ms ticks a new leader takes at least half a second after kill -9', async () => {
    const peers = await startCluster(['--tick-ms', '50']);
    const leader = await leaderOf(peers);
    await addNotes(leader, 'slow clock', 5);
    const survivors = peers.filter((p) => p !== leader);
    const killedAt = performance.now();
    await leader.kill();
    const next = await leaderOf(survivors);
    const elapsed = performance.now() - killedAt;
    // Elections wait 15-30 ticks after the last heartbeat (at most 5 ticks before the kill):
    // at least 500 ms here, against 100-300 ms on the default 10 ms tick.
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect((await addNotes(next, 'after', 5))).toHaveLength(5);
  }, 120_000);
});

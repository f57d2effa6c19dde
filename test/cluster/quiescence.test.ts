// Quiescence on real peers: an idle notebook stops heartbeating, a note wakes
// it, and a leader killed while the group is quiet is replaced at once, because
// the followers see its connections close (the quiet timeout, 3 s at the
// default 10 ms tick, would take longer; test/sim/quiescence.test.ts has the
// rules tick by tick, test/lan/silent-leader.test.ts the leader that vanishes
// without closing anything).
import { afterEach, describe, expect, it } from 'vitest';
import { leaderOf, startCluster } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor, type PeerProcess } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

/**
 * A quiescent follower waits 4 quiet heartbeats (of 5 election timeouts of 15 ticks of 10 ms) of silence, counted
 * from the last quiet heartbeat: without the wake-up, a killed leader is replaced no sooner than 3 quiet
 * heartbeats plus an election timeout after the kill.
 */
const QUIET_HEARTBEAT_MS = 5 * 15 * 10;
const WITHOUT_WAKE_MS = 3 * QUIET_HEARTBEAT_MS + 15 * 10;

async function allQuiescent(peers: PeerProcess[]): Promise<void> {
  await waitFor('every peer quiescent', async () => {
    for (const p of peers) {
      if (!(await p.api('GET', '/api/status')).body.quiescent) return false;
    }
    return true;
  }, 20_000);
}

describe('Quiescence', () => {
  it('quiets an idle notebook, and a note wakes it and commits', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    expect((await leader.api('POST', '/api/notes', { text: 'before the quiet' })).status).toBe(201);
    await allQuiescent(peers);
    const follower = peers.find((p) => p !== leader)!;
    expect((await follower.api('POST', '/api/notes', { text: 'wakes it' })).status).toBe(201);
    for (const p of peers) {
      await waitFor(`${p.name} has the note`, async () =>
        (await p.api('GET', '/api/notes')).body.notes.some((n: { text: string }) => n.text === 'wakes it'));
    }
    await allQuiescent(peers);
  }, 60_000);

  it('replaces a quiescent leader killed with kill -9 sooner than the quiet timeout: its closed connections wake the others', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    expect((await leader.api('POST', '/api/notes', { text: 'before' })).status).toBe(201);
    await allQuiescent(peers);
    const survivors = peers.filter((p) => p !== leader);
    const t0 = performance.now();
    await leader.kill();
    await waitFor('a note committed by the survivors', async () => {
      for (const p of survivors) {
        const res = await p.api('POST', '/api/notes', { text: `after ${p.name}` });
        if (res.status === 201) return true;
      }
      return false;
    }, 20_000);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(WITHOUT_WAKE_MS);
  }, 60_000);
});

// Three headless peers in separate processes on 127.0.0.1 (no mDNS, --peer):
// they form one cluster, replicate, survive kill -9 of the leader, and a peer
// that was away catches up, by snapshot when the log moved on without it.
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from './peer-process.ts';

const LOCAL = ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'];

afterEach(async () => {
  await killAll();
  await removeDirs();
});

/** startCluster starts A with a new notebook, then B and C with its invite code. */
async function startCluster(extra: string[] = []): Promise<PeerProcess[]> {
  const a = new PeerProcess(await tempDir(), 'A');
  const readyA = await a.start(['--create', 'Team notes', ...LOCAL, ...extra]);
  const { body } = await a.api('GET', '/api/invite');
  const others = [new PeerProcess(await tempDir(), 'B'), new PeerProcess(await tempDir(), 'C')];
  await Promise.all(others.map((p) => p.start(['--invite', body.invite, '--peer', readyA.addrs[0]!, ...LOCAL, ...extra])));
  const peers = [a, ...others];
  await waitFor('three voters', async () => {
    const { body: s } = await a.api('GET', '/api/status');
    return s.members.filter((m: { voter: boolean }) => m.voter).length === 3;
  }, 20_000);
  return peers;
}

async function leaderOf(peers: PeerProcess[]): Promise<PeerProcess> {
  return waitFor('a leader', async () => {
    for (const p of peers) {
      if (!p.running) continue;
      const { body } = await p.api('GET', '/api/status');
      if (body.role === 'leader') return p;
    }
    return undefined;
  });
}

/** addNotes posts `count` notes, `concurrency` at a time, and returns the texts that were acknowledged (201). */
async function addNotes(peer: PeerProcess, prefix: string, count: number, concurrency = 32): Promise<string[]> {
  const acknowledged: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const text = `${prefix} ${next++}`;
      const res = await peer.api('POST', '/api/notes', { text });
      if (res.status === 201) acknowledged.push(text);
      else if (res.status !== 202) throw new Error(`POST /api/notes answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }));
  return acknowledged;
}

async function texts(peer: PeerProcess): Promise<string[]> {
  const { body } = await peer.api('GET', '/api/notes');
  return body.notes.map((n: { text: string }) => n.text);
}

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
});

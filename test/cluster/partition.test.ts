// A peer cut off from the others (POST /api/network) keeps what its user
// writes in its durable outbox; after it reconnects, every note is committed
// exactly once on every peer, in one order (the product's promise on top of
// the Raft walkthrough's partition story). Also: the leader killed while a
// follower has 100 writes in flight.
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL, leaderOf, startCluster, texts } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor, type PeerProcess } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

async function write(peer: PeerProcess, prefix: string, count: number, expected: number): Promise<void> {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => peer.api('POST', '/api/notes', { text: `${prefix} ${i}` })));
  for (const a of answers) expect(a.status).toBe(expected);
}

async function expectAllOnce(peers: PeerProcess[], wanted: string[]): Promise<void> {
  for (const p of peers) {
    await waitFor(`${p.name} holds all ${wanted.length} notes`, async () => {
      const t = await texts(p);
      return wanted.every((w) => t.includes(w)) && (await p.api('GET', '/api/notes')).body.pending.length === 0;
    }, 30_000);
  }
  const order = await texts(peers[0]!);
  for (const w of wanted) expect(order.filter((t) => t === w)).toHaveLength(1);
  for (const p of peers) expect(await texts(p)).toEqual(order);
}

describe('Partition', () => {
  for (const restart of [false, true]) {
    it(`commits the notes written on an isolated peer exactly once after it reconnects${restart ? ', across a restart' : ''}`, async () => {
      const peers = await startCluster();
      const leader = await leaderOf(peers);
      const lonely = peers.find((p) => p !== leader)!;
      const majority = peers.filter((p) => p !== lonely);
      expect((await lonely.api('POST', '/api/network', { isolated: true })).status).toBe(200);
      const before = (await lonely.api('GET', '/api/status')).body.commitIndex;

      await write(lonely, 'offline', 20, 202);
      await write(leader, 'online', 20, 201);
      const lonelyView = await lonely.api('GET', '/api/notes');
      expect(lonelyView.body.pending).toHaveLength(20);
      expect(lonelyView.body.commitIndex).toBe(before);

      if (restart) {
        expect(await lonely.stop()).toBe(0);
        await lonely.start([...LOCAL, '--peer', leader.ready!.addrs[0]!]);
        // The outbox came back: each offline write is still pending, or already committed (a restarted peer
        // proposes its outbox as soon as it hears from the leader, which may be before this first look).
        const { body } = await lonely.api('GET', '/api/notes');
        const kept = [...body.pending.map((p: { text: string }) => p.text), ...body.notes.map((n: { text: string }) => n.text)];
        expect(kept.filter((t: string) => t.startsWith('offline ')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `offline ${i}`).sort());
      } else {
        await lonely.api('POST', '/api/network', { isolated: false });
      }
      const wanted = [...Array.from({ length: 20 }, (_, i) => `offline ${i}`), ...Array.from({ length: 20 }, (_, i) => `online ${i}`)];
      await expectAllOnce([...majority, lonely], wanted);
    }, 120_000);
  }

  it('shows an offline edit that lost to a concurrent one as a conflict, with both versions, until dismissed', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const lonely = peers.find((p) => p !== leader)!;
    const { body: added } = await leader.api('POST', '/api/notes', { text: 'agenda' });
    await waitFor('the note reaches the lonely peer', async () => (await texts(lonely)).includes('agenda'));
    await lonely.api('POST', '/api/network', { isolated: true });
    const offline = await lonely.api('PUT', `/api/notes/${added.note.id}`, { text: 'agenda (mine)', version: 1 });
    expect(offline.status).toBe(202);
    expect((await leader.api('PUT', `/api/notes/${added.note.id}`, { text: 'agenda (theirs)', version: 1 })).status).toBe(200);
    await lonely.api('POST', '/api/network', { isolated: false });
    const conflict = await waitFor('the conflict', async () => {
      const { body } = await lonely.api('GET', '/api/notes');
      return body.pending.length === 0 && body.conflicts.length === 1 ? body.conflicts[0] : undefined;
    }, 30_000);
    expect(conflict).toMatchObject({ op: 'edit', text: 'agenda (mine)', noteId: added.note.id, version: 1, error: 'conflict',
      current: { text: 'agenda (theirs)', version: 2 } });
    expect(await texts(lonely)).toContain('agenda (theirs)');
    expect((await lonely.api('DELETE', `/api/conflicts/${conflict.requestId}`)).status).toBe(200);
    expect((await lonely.api('GET', '/api/notes')).body.conflicts).toEqual([]);
    expect((await lonely.api('DELETE', `/api/conflicts/${conflict.requestId}`)).status).toBe(404);
  }, 120_000);

  it('applies each of 100 writes in flight from a follower exactly once when the leader is killed', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const follower = peers.find((p) => p !== leader)!;
    const inFlight = Array.from({ length: 100 }, (_, i) => follower.api('POST', '/api/notes', { text: `flight ${i}` }));
    await new Promise((r) => setTimeout(r, 30));
    await leader.kill();
    const answers = await Promise.all(inFlight);
    for (const a of answers) expect([201, 202]).toContain(a.status);
    const survivors = peers.filter((p) => p !== leader);
    await leaderOf(survivors);
    await expectAllOnce(survivors, Array.from({ length: 100 }, (_, i) => `flight ${i}`));
  }, 120_000);
});

// A peer removed from its notebook learns it (from its own log, or from the
// leader's status when it was away), stops campaigning, says so in its status
// and its log, refuses writes, and can ask to join again or leave.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL, leaderOf, removeMember, startCluster, texts } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor, type PeerProcess } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

/** expectRemoved waits until `peer` says it was removed, then checks it does not campaign over several election timeouts. */
async function expectRemoved(peer: PeerProcess): Promise<void> {
  await waitFor(`${peer.name} says it was removed`, async () => (await peer.api('GET', '/api/status')).body.removed === true, 20_000);
  const { body: first } = await peer.api('GET', '/api/status');
  // Elections time out after 150-300 ms: a peer still campaigning shows as (pre)candidate well within 2 s.
  const until = Date.now() + 2_000;
  while (Date.now() < until) {
    const { body } = await peer.api('GET', '/api/status');
    expect(body.role, 'a removed peer does not campaign').not.toMatch(/candidate/);
    expect(body.term).toBe(first.term);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(peer.logs.join('\n')).toMatch(new RegExp(`${peer.name}: this peer was removed from the notebook`));
  const write = await peer.api('POST', '/api/notes', { text: 'from a removed peer' });
  expect(write.status).toBe(409);
  expect(write.body).toMatchObject({ error: 'removed', message: expect.stringMatching(/join again.*leave/) });
}

describe('RemovedPeer', () => {
  it('learns it was removed while it ran, asks to join again and is a voter again, then leaves for good', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const removed = peers.find((p) => p !== leader)!;
    const id = removed.ready!.peerId;
    expect((await removed.api('POST', '/api/notebook/rejoin')).body.error).toBe('not-removed');
    expect((await removed.api('DELETE', '/api/notebook')).body.error).toBe('not-removed');
    await removeMember(peers, id);
    await expectRemoved(removed);

    expect((await removed.api('POST', '/api/notebook/rejoin')).status).toBe(200);
    await waitFor('the leader lists it as a voter again', async () =>
      (await leader.api('GET', '/api/status')).body.members.some((m: { id: string; voter: boolean }) => m.id === id && m.voter), 30_000);
    expect((await removed.api('GET', '/api/status')).body.removed).toBe(false);
    expect((await leader.api('POST', '/api/notes', { text: 'after the return' })).status).toBe(201);
    await waitFor('it holds the new note', async () => (await texts(removed)).includes('after the return'), 20_000);
    expect((await removed.api('POST', '/api/notes', { text: 'from the returned peer' })).status).toBe(201);

    await removeMember(peers, id);
    await waitFor('removed again', async () => (await removed.api('GET', '/api/status')).body.removed === true, 20_000);
    const left = await removed.api('DELETE', '/api/notebook');
    expect(left.status).toBe(200);
    expect(left.body.left).toMatchObject({ name: 'Team notes' });
    const { body: after } = await removed.api('GET', '/api/status');
    expect(after).toMatchObject({ notebook: null, removed: false, role: 'none', name: removed.name });
    const kept = await readdir(join(removed.dataDir, 'left'));
    expect(kept).toHaveLength(1);
    expect((await readdir(join(removed.dataDir, 'left', kept[0]!))).sort()).toEqual(['member-names.json', 'notebook.json', 'outbox.log', 'raft']);
    expect(await readdir(removed.dataDir)).not.toContain('notebook.json');
  }, 120_000);

  it('learns it was removed while it was down, from the leader, once restarted', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const removed = peers.find((p) => p !== leader)!;
    await removed.kill();
    await removeMember([leader], removed.ready!.peerId);
    removed.logs.length = 0;
    await removed.start(['--peer', leader.ready!.addrs[0]!, ...LOCAL]);
    await expectRemoved(removed);
    expect(removed.logs.join('\n')).toMatch(new RegExp(`removed from the notebook \\(${leader.name}, the leader, no longer lists it\\)`));
  }, 90_000);
});

// Helpers for tests of several headless peers on 127.0.0.1.
import { PeerProcess, tempDir, waitFor } from './peer-process.ts';

/** LOCAL keeps a peer on 127.0.0.1 without mDNS. */
export const LOCAL = ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'];

/** startCluster starts A with a new notebook, then B and C with its invite code. */
export async function startCluster(extra: string[] = []): Promise<PeerProcess[]> {
  const a = new PeerProcess(await tempDir(), 'A');
  const readyA = await a.start(['--create', 'Team notes', ...LOCAL, ...extra]);
  const { body } = await a.api('GET', '/api/invite');
  const others = [new PeerProcess(await tempDir(), 'B'), new PeerProcess(await tempDir(), 'C')];
  await Promise.all(others.map((p) => p.start(['--invite', body.invite, '--peer', readyA.addrs[0]!, ...LOCAL, ...extra])));
  const peers = [a, ...others];
  // Formed once the configuration with three voters is committed: until then a membership change is refused as pending.
  await waitFor('three voters, committed', async () => {
    const { body: s } = await a.api('GET', '/api/status');
    return s.members.filter((m: { voter: boolean }) => m.voter).length === 3 && s.commitIndex >= s.lastIndex;
  }, 20_000);
  return peers;
}

/** ApiPeer is any peer with a local API: a PeerProcess, or an in-process ServicePeer. */
export type ApiPeer = Pick<PeerProcess, 'running' | 'api'>;

/** leaderOf waits until one of the running peers says it leads. */
export async function leaderOf<P extends ApiPeer>(peers: P[]): Promise<P> {
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
export async function addNotes(peer: PeerProcess, prefix: string, count: number, concurrency = 32): Promise<string[]> {
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

/** texts lists a peer's notes, in order. */
export async function texts(peer: ApiPeer): Promise<string[]> {
  const { body } = await peer.api('GET', '/api/notes');
  return body.notes.map((n: { text: string }) => n.text);
}


/** removeMember removes member `id` through the leader of `peers`, asking again while a membership change is still under way (409). */
export async function removeMember<P extends ApiPeer>(peers: P[], id: string): Promise<void> {
  await waitFor(`${id} removed`, async () => {
    const res = await (await leaderOf(peers)).api('DELETE', `/api/members/${id}`);
    if (res.status === 200) return true;
    if (res.status === 409 && ['config-change-pending', 'not-leader'].includes(res.body.error)) return false;
    throw new Error(`DELETE /api/members/${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }, 20_000);
}

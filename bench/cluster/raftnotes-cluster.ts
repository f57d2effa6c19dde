// RaftnotesCluster runs three `raftnotes serve` peers on 127.0.0.1 with durable
// storage (--no-mdns, --peer), each on fixed ports so a killed peer comes back
// at the same addresses, as a restarted device on a LAN would.
import { Child, removeTempDir, tempDir } from './children.ts';
import { freePort, text100, waitUntil, type Request } from './load.ts';
import type { ReadyLine } from '../../test/cluster/peer-process.ts';

export type { ReadyLine };

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;


/** RaftnotesPeer is one peer's data directory, ports and (while running) process. */
export interface RaftnotesPeer {
  name: string;
  dataDir: string;
  listen: string;
  apiPort: number;
  child: Child | null;
  ready: ReadyLine | null;
}

/** parseReady returns the ready line, or undefined for any other output line. */
export function parseReady(line: string): ReadyLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as ReadyLine;
    return parsed.event === 'ready' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** apiCall calls a peer's local API with its token; body is parsed JSON. */
export async function apiCall<T = any>(ready: ReadyLine, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: T }> {
  const res = await fetch(`${ready.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${ready.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text.length > 0 ? JSON.parse(text) as T : null as T };
}

/** addNoteRequest posts a 100-byte note to a peer; true when answered 201 (committed). */
export function addNoteRequest(ready: ReadyLine): Request {
  const url = `${ready.api}/api/notes`;
  const headers = { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' };
  return async (n, signal) => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ text: text100(n) }), ...(signal !== undefined ? { signal } : {}) });
    await res.arrayBuffer();
    return res.status === 201;
  };
}

/** RaftnotesCluster is three peers on 127.0.0.1. */
export class RaftnotesCluster {
  readonly peers: RaftnotesPeer[] = [];

  /** start creates the notebook on the first peer and has the others join it with its invite code. */
  async start(): Promise<void> {
    for (const name of ['A', 'B', 'C']) {
      this.peers.push({
        name, dataDir: await tempDir(`raftnotes-bench-${name}-`),
        listen: `/ip4/127.0.0.1/tcp/${await freePort()}`, apiPort: await freePort(), child: null, ready: null,
      });
    }
    const [a, ...others] = this.peers as [RaftnotesPeer, ...RaftnotesPeer[]];
    await this.run(a, ['--create', 'Bench']);
    const { body } = await apiCall<{ invite: string }>(a.ready!, 'GET', '/api/invite');
    await Promise.all(others.map((p) => this.run(p, ['--invite', body.invite, '--peer', a.ready!.addrs[0]!])));
    await this.healthy(30_000);
  }

  /**
   * catchUp starts one more peer that joins the notebook with its invite code and
   * measures until it has applied everything the leader had committed at that
   * moment (with a large notebook: a snapshot transfer and restore): ms from
   * its spawn, and from its ready line (the process up, the join under way).
   */
  async catchUp(): Promise<{ fromSpawnMs: number; fromReadyMs: number }> {
    const leader = await this.healthy();
    const { body: invite } = await apiCall<{ invite: string }>(leader.ready!, 'GET', '/api/invite');
    const { body: status } = await apiCall<{ commitIndex: number }>(leader.ready!, 'GET', '/api/status');
    const peer: RaftnotesPeer = {
      name: `N${this.peers.length}`, dataDir: await tempDir('raftnotes-bench-join-'),
      listen: `/ip4/127.0.0.1/tcp/${await freePort()}`, apiPort: await freePort(), child: null, ready: null,
    };
    this.peers.push(peer);
    const t0 = performance.now();
    await this.run(peer, ['--invite', invite.invite, '--peer', leader.ready!.addrs[0]!]);
    const ready = performance.now();
    await waitUntil('the new peer to apply the notebook', async () => {
      const { body } = await apiCall<{ appliedIndex: number }>(peer.ready!, 'GET', '/api/status');
      return body.appliedIndex >= status.commitIndex ? true : undefined;
    }, 120_000, 20);
    const done = performance.now();
    return { fromSpawnMs: done - t0, fromReadyMs: done - ready };
  }

  /** run starts a peer's process and waits for its ready line. */
  private async run(peer: RaftnotesPeer, extra: string[]): Promise<void> {
    const args = [BIN, 'serve', '--data', peer.dataDir, '--name', peer.name, '--listen', peer.listen,
      '--api', `127.0.0.1:${peer.apiPort}`, '--no-mdns', ...extra];
    peer.child = new Child(`raftnotes ${peer.name}`, process.execPath, args);
    peer.ready = await peer.child.waitForLine('ready line', parseReady);
  }

  /** restart starts a stopped peer again on its data directory, pointing it at the others. */
  async restart(peer: RaftnotesPeer): Promise<void> {
    const others = this.peers.filter((p) => p !== peer && p.ready !== null).flatMap((p) => ['--peer', p.ready!.addrs[0]!]);
    await this.run(peer, others);
  }

  running(): RaftnotesPeer[] {
    return this.peers.filter((p) => p.child?.running === true);
  }

  /** leader is the running peer that says it leads, if any. */
  async leader(): Promise<RaftnotesPeer | undefined> {
    for (const p of this.running()) {
      const { body } = await apiCall<{ role: string }>(p.ready!, 'GET', '/api/status');
      if (body.role === 'leader') return p;
    }
    return undefined;
  }

  /**
   * healthy waits until one running peer leads three voters, every other member is
   * reachable and has the leader's whole log, and every running peer follows that leader.
   */
  async healthy(ms = 20_000): Promise<RaftnotesPeer> {
    return waitUntil('a leader with three caught-up voters', async () => {
      const leader = await this.leader();
      if (leader === undefined) return undefined;
      const { body: s } = await apiCall<{ id: string; lastIndex: number; commitIndex: number; members: { id: string; voter: boolean; reachable: boolean; matchIndex: number | null }[] }>(leader.ready!, 'GET', '/api/status');
      const voters = s.members.filter((m) => m.voter);
      if (voters.length !== 3 || s.commitIndex !== s.lastIndex) return undefined;
      if (!s.members.every((m) => m.id === s.id || (m.reachable && m.matchIndex === s.lastIndex))) return undefined;
      for (const p of this.running()) {
        const { body } = await apiCall<{ leaderId: string | null; commitIndex: number }>(p.ready!, 'GET', '/api/status');
        if (body.leaderId !== s.id || body.commitIndex !== s.commitIndex) return undefined;
      }
      return leader;
    }, ms);
  }

  /** cpuSeconds is the CPU time all running peers have used. */
  cpuSeconds(): number {
    return this.peers.reduce((sum, p) => sum + (p.child?.cpuSeconds() ?? 0), 0);
  }

  /** request is a write to `peer`: POST /api/notes of a 100-byte note. */
  request(peer: RaftnotesPeer): Request {
    return addNoteRequest(peer.ready!);
  }

  /** tails is the last output lines of every peer, for a failure report. */
  tails(): string {
    return this.peers.map((p) => p.child?.tail() ?? '').join('\n');
  }

  /** stop kills every peer and removes the data directories. */
  async stop(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.child?.kill()));
    await Promise.all(this.peers.map((p) => removeTempDir(p.dataDir)));
  }
}

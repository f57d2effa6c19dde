// RaftnotesCluster runs three `raftnotes serve` peers on 127.0.0.1 with durable
// storage (--no-mdns, --peer), each on fixed ports so a killed peer comes back
// at the same addresses, as a restarted device on a LAN would.
import http from 'node:http';
import http2 from 'node:http2';
import { Child, removeTempDir, tempDir } from './children.ts';
import { freePort, sleep, text100, waitUntil, type Request } from './load.ts';
import type { MemberMemory } from './bench-cluster.ts';
import type { ReadyLine } from '../../test/cluster/peer-process.ts';

export type { ReadyLine };

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;


/** RaftnotesPeer is one peer's data directory, libp2p address and (while running) process; its API takes a port the system picks, read from its ready line. */
export interface RaftnotesPeer {
  name: string;
  dataDir: string;
  listen: string;
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

/**
 * The writes' HTTP client. By default HTTP/2 (h2c, which the API speaks on
 * its one port): one connection per peer carries every request in flight, as
 * etcd's gRPC client carries its puts over one HTTP/2 connection per member.
 * With `http1`, node:http with keep-alive, one connection per request in
 * flight. Node's fetch (undici behind web streams) is used for neither: it
 * spent 5 times the CPU of node:http per write here (0.63-0.75 ms against
 * 0.14 ms at 64 in flight), on the two cores the servers run on.
 */
export type WriteProtocol = 'h2' | 'http1';

const writeAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const sessions = new Map<string, http2.ClientHttp2Session>();

/** sessionTo is the open HTTP/2 connection to `origin`, made again when the peer restarted or it failed. */
function sessionTo(origin: string): http2.ClientHttp2Session {
  const known = sessions.get(origin);
  if (known !== undefined && !known.closed && !known.destroyed) return known;
  const session = http2.connect(origin);
  session.on('error', () => {}); // a killed peer: its requests fail and count as not acknowledged
  session.unref();
  sessions.set(origin, session);
  return session;
}

/** closeWriteConnections closes the writes' connections (the end of a run). */
export function closeWriteConnections(): void {
  for (const session of sessions.values()) session.destroy();
  sessions.clear();
  writeAgent.destroy();
}

/** addNoteRequest posts a 100-byte note to a peer; true when answered 201 (committed). */
export function addNoteRequest(ready: ReadyLine, protocol: WriteProtocol = 'h2'): Request {
  const api = new URL(ready.api);
  const authorization = `Bearer ${ready.token}`;
  if (protocol === 'h2') {
    const headers = { ':method': 'POST', ':path': '/api/notes', authorization, 'content-type': 'application/json' };
    return (n, signal) => new Promise((resolve, reject) => {
      const req = sessionTo(api.origin).request(headers, signal !== undefined ? { signal } : {});
      let status = 0;
      req.once('response', (h) => { status = Number(h[':status']); });
      req.on('data', () => {});
      req.once('end', () => resolve(status === 201));
      req.once('error', reject);
      req.end(JSON.stringify({ text: text100(n) }));
    });
  }
  return (n, signal) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ text: text100(n) });
    const req = http.request({
      agent: writeAgent, host: api.hostname, port: api.port, method: 'POST', path: '/api/notes', signal,
      headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 201));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** CatchUp is how a peer joining a filled notebook went: ms to apply it (from its spawn, from its ready line) and its memory then and after a rest. */
export interface CatchUp { fromSpawnMs: number; fromReadyMs: number; caughtUp: MemberMemory; rested: MemberMemory }

/** RaftnotesCluster is three peers on 127.0.0.1. */
export class RaftnotesCluster {
  readonly peers: RaftnotesPeer[] = [];
  private readonly protocol: WriteProtocol;

  constructor(protocol: WriteProtocol = 'h2') {
    this.protocol = protocol;
  }

  /** start creates the notebook on the first peer and has the others join it with its invite code. */
  async start(): Promise<void> {
    for (const name of ['A', 'B', 'C']) {
      this.peers.push({
        name, dataDir: await tempDir(`raftnotes-bench-${name}-`),
        listen: `/ip4/127.0.0.1/tcp/${await freePort()}`, child: null, ready: null,
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
   * its spawn, and from its ready line (the process up, the join under way);
   * then its memory, at once and after `restMs` in which nobody writes.
   */
  async catchUp(restMs: number): Promise<CatchUp> {
    const leader = await this.healthy();
    const { body: invite } = await apiCall<{ invite: string }>(leader.ready!, 'GET', '/api/invite');
    const { body: status } = await apiCall<{ commitIndex: number }>(leader.ready!, 'GET', '/api/status');
    const peer: RaftnotesPeer = {
      name: `N${this.peers.length}`, dataDir: await tempDir('raftnotes-bench-join-'),
      listen: `/ip4/127.0.0.1/tcp/${await freePort()}`, child: null, ready: null,
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
    const caughtUp = peer.child!.memory() ?? { rssMiB: NaN, peakMiB: NaN };
    await sleep(restMs);
    const rested = peer.child!.memory() ?? { rssMiB: NaN, peakMiB: NaN };
    return { fromSpawnMs: done - t0, fromReadyMs: done - ready, caughtUp, rested };
  }

  /** run starts a peer's process and waits for its ready line. */
  private async run(peer: RaftnotesPeer, extra: string[]): Promise<void> {
    const args = [BIN, 'serve', '--data', peer.dataDir, '--name', peer.name, '--listen', peer.listen,
      '--api', '127.0.0.1:0', '--no-mdns', ...extra];
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
    return addNoteRequest(peer.ready!, this.protocol);
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

// EtcdCluster runs a 3-member etcd cluster on 127.0.0.1 (Debian's etcd-server,
// default fsync and timeouts, data in temporary directories) as the reference
// system, and writes to it as its users do: through its gRPC API with the
// `etcd3` client (one client per member, retries off, so every failed call is
// seen), or, for comparison, through its HTTP/JSON gateway.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { Child, removeTempDir, tempDir } from './children.ts';
import { freePort, waitUntil, type Request } from './load.ts';

const ETCD = 'etcd';

/** EtcdMember is one member's name, data directory, ports and (while running) process. */
export interface EtcdMember {
  name: string;
  dataDir: string;
  clientUrl: string;
  peerUrl: string;
  child: Child | null;
}

/** etcdVersion is the first line of `etcd --version`, or null when etcd is not installed. */
export async function etcdVersion(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(ETCD, ['--version']);
    return stdout.split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

/** EtcdApi is how the bench writes to etcd: its gRPC API (as its users do) or the HTTP/JSON gateway. */
export type EtcdApi = 'grpc' | 'gateway';

/** VALUE is the 100-byte value of every put. */
const VALUE = 'v'.repeat(100);

/** b64 is the base64 of a string, as the gateway wants keys and values. */
function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

/** putRequest puts a 100-byte value under a key per request number; true when etcd answered without error. */
export function putRequest(member: EtcdMember, prefix: string): Request {
  const url = `${member.clientUrl}/v3/kv/put`;
  const value = b64(VALUE);
  return async (n, signal) => {
    const res = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: b64(`${prefix}/${n}`), value }), ...(signal !== undefined ? { signal } : {}),
    });
    const body = await res.json() as { error?: string; header?: unknown };
    return res.status === 200 && body.error === undefined && body.header !== undefined;
  };
}

/** grpcPutRequest puts a 100-byte value under a key per request number through `client`; true when etcd answered. */
function grpcPutRequest(client: Etcd3, prefix: string): Request {
  return async (n, signal) => {
    // gRPC calls take a deadline, not a signal: a call of a cancelled probe ends within a second.
    const put = client.put(`${prefix}/${n}`).value(VALUE);
    if (signal !== undefined) put.options({ deadline: Date.now() + 1_000 });
    const answer = await put.exec();
    return answer.header !== undefined;
  };
}

interface MemberStatus { header: { member_id: string }; leader: string; raftIndex: string; raftAppliedIndex?: string }

async function memberStatus(member: EtcdMember, signal?: AbortSignal): Promise<MemberStatus> {
  const res = await fetch(`${member.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', ...(signal !== undefined ? { signal } : {}) });
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return await res.json() as MemberStatus;
}

/** EtcdCluster is three etcd members on 127.0.0.1. */
export class EtcdCluster {
  readonly members: EtcdMember[] = [];
  private requests = 0;
  private readonly clients = new Map<EtcdMember, Etcd3>();

  private readonly api: EtcdApi;

  constructor(api: EtcdApi = 'grpc') {
    this.api = api;
  }

  async start(): Promise<void> {
    for (const name of ['e0', 'e1', 'e2']) {
      this.members.push({
        name, dataDir: await tempDir(`etcd-bench-${name}-`),
        clientUrl: `http://127.0.0.1:${await freePort()}`, peerUrl: `http://127.0.0.1:${await freePort()}`, child: null,
      });
    }
    for (const m of this.members) this.run(m);
    await this.healthy(30_000);
  }

  /** run starts a member; on a data directory that holds a member already, etcd ignores the initial-cluster flags. */
  private run(m: EtcdMember): void {
    const cluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    m.child = new Child(`etcd ${m.name}`, ETCD, [
      '--name', m.name, '--data-dir', m.dataDir,
      '--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl,
      '--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl,
      '--initial-cluster', cluster, '--initial-cluster-token', 'raftnotes-bench', '--initial-cluster-state', 'new',
      '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
    ]);
  }

  /** restart starts a killed member again on its data directory. */
  async restart(m: EtcdMember): Promise<void> {
    this.run(m);
  }

  running(): EtcdMember[] {
    return this.members.filter((m) => m.child?.running === true);
  }

  /**
   * healthy waits until every running member names the same leader, that leader
   * is one of them, and all have applied the same raft index.
   */
  async healthy(ms = 20_000): Promise<EtcdMember> {
    return waitUntil('an etcd leader with every member caught up', async () => {
      const running = this.running();
      const statuses = await Promise.all(running.map((m) => memberStatus(m, AbortSignal.timeout(1_000))));
      const leaderId = statuses[0]?.leader;
      if (leaderId === undefined || leaderId === '0' || !statuses.every((s) => s.leader === leaderId)) return undefined;
      const applied = statuses.map((s) => s.raftAppliedIndex ?? s.raftIndex);
      if (!applied.every((a) => a === applied[0])) return undefined;
      const i = statuses.findIndex((s) => s.header.member_id === leaderId);
      return i < 0 ? undefined : running[i];
    }, ms);
  }

  cpuSeconds(): number {
    return this.members.reduce((sum, m) => sum + (m.child?.cpuSeconds() ?? 0), 0);
  }

  /** request is a write to `member`: a put of a 100-byte value under a key of its own per call. */
  request(member: EtcdMember): Request {
    const prefix = `bench/${this.requests++}`;
    return this.api === 'gateway' ? putRequest(member, prefix) : grpcPutRequest(this.client(member), prefix);
  }

  /** client is the gRPC client of one member, made on first use. */
  private client(member: EtcdMember): Etcd3 {
    let client = this.clients.get(member);
    if (client === undefined) {
      client = new Etcd3({ hosts: member.clientUrl, faultHandling: { host: () => noop, global: noop } });
      this.clients.set(member, client);
    }
    return client;
  }

  /** tails is the last output lines of every member, for a failure report. */
  tails(): string {
    return this.members.map((m) => m.child?.tail() ?? '').join('\n');
  }

  /** stop kills every member and removes the data directories. */
  async stop(): Promise<void> {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    await Promise.all(this.members.map((m) => m.child?.kill()));
    await Promise.all(this.members.map((m) => removeTempDir(m.dataDir)));
  }
}

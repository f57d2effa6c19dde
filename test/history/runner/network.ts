// Where a history run's peers live, and the network faults made there.
//
// In network namespaces (as root): one namespace per slot on one bridge
// (test/lan/netns.ts); the runner reaches each peer's API over the slot's
// control link, so no cut ever hides a peer from it. Cuts are per pair of
// hosts: a blackhole route to the other's LAN address inside each of the two
// namespaces, so any shape is one set of cut pairs — a partition
// {A, B} | {C, D, E}, or a bridge where A reaches both sides that do not reach
// each other. Loss and delay are `tc netem` on a host's LAN interface (or,
// where the kernel has no netem, an htb rate limit over a short queue).
//
// On 127.0.0.1 (anyone): no cuts and no netem; isolation through the API,
// kills, pauses, transfers and membership changes still run.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { Lan, lanProblem, PREFIX, removeLeftovers } from '../../lan/netns.ts';

const execFileAsync = promisify(execFile);

/** HostNetwork is the set of hosts of a run and the network faults they allow. */
export interface HostNetwork {
  readonly kind: 'namespaces' | 'loopback';
  /** Whether cuts and netem work here. */
  readonly shapes: boolean;
  /** The prefix of temporary data directories (a dead run's are removed by the next). */
  readonly dirPrefix: string;
  /** The flags of `raftnotes serve` that put slot `i`'s peer on its host. */
  serveArgs(i: number): string[];
  /** The command prefix that runs a program on slot `i`'s host. */
  exec(i: number): string[];
  /** cut stops all traffic between hosts i and j, both ways. */
  cut(i: number, j: number): Promise<void>;
  /** uncut lets traffic between hosts i and j through again. */
  uncut(i: number, j: number): Promise<void>;
  /**
   * netem gives host i's outgoing LAN traffic loss and delay, and says how: with
   * `tc netem`, or — on a kernel without sch_netem — an htb rate limit over a
   * short queue (tail drops and queueing delay). clearNetem takes them away.
   */
  netem(i: number, spec: LinkFault): Promise<string>;
  /** clearNetem says how many packets the link sent and dropped meanwhile. */
  clearNetem(i: number): Promise<string>;
  /** heal removes every cut and every netem; it returns what it found still standing after undoing the faults it knew of. */
  heal(): Promise<string[]>;
  destroy(): Promise<void>;
}

/** createNetwork makes `count` hosts: in namespaces when `wanted` is 'namespaces' (root only), else on 127.0.0.1. */
export async function createNetwork(count: number, wanted: 'namespaces' | 'loopback'): Promise<HostNetwork> {
  if (wanted === 'loopback') return LoopbackNetwork.create(count);
  const problem = await lanProblem();
  if (problem !== null) throw new Error(`the run needs network namespaces: ${problem}`);
  await removeLeftovers();
  return new NamespaceNetwork(await Lan.create(count));
}

/** namespaceProblem says why namespaces cannot be made here, or null. */
export { lanProblem as namespaceProblem };

/** LinkFault is a degraded link: netem's loss and delay, and the rate and queue of the htb stand-in. */
export interface LinkFault {
  lossPercent: number;
  delayMs: number;
  jitterMs: number;
  /** The htb stand-in's rate (kbit/s) and queue (packets). */
  rateKbit: number;
  queuePackets: number;
}

const LAN_IF = 'lan0';
const PEER_PORT = 4001;

class NamespaceNetwork implements HostNetwork {
  readonly kind = 'namespaces';
  readonly shapes = true;
  readonly dirPrefix = `${PREFIX}-`;
  private readonly lan: Lan;
  private readonly cuts = new Set<string>();
  private readonly shaped = new Set<number>();

  constructor(lan: Lan) {
    this.lan = lan;
  }

  serveArgs(i: number): string[] {
    const h = this.lan.hosts[i]!;
    return ['--listen', `/ip4/${h.lanAddr}/tcp/${PEER_PORT}`, '--api', `${h.controlAddr}:0`];
  }

  exec(i: number): string[] {
    return [...this.lan.hosts[i]!.exec];
  }

  async cut(i: number, j: number): Promise<void> {
    const [a, b] = [this.lan.hosts[i]!, this.lan.hosts[j]!];
    this.cuts.add(`${i}-${j}`);
    await run('ip', ['-n', a.netns, 'route', 'replace', 'blackhole', `${b.lanAddr}/32`]);
    await run('ip', ['-n', b.netns, 'route', 'replace', 'blackhole', `${a.lanAddr}/32`]);
  }

  async netem(i: number, f: LinkFault): Promise<string> {
    this.shaped.add(i);
    const tc = ['ip', 'netns', 'exec', this.lan.hosts[i]!.netns, 'tc'];
    try {
      await run(tc[0]!, [...tc.slice(1), 'qdisc', 'replace', 'dev', LAN_IF, 'root', 'netem', 'delay', `${f.delayMs}ms`, `${f.jitterMs}ms`, 'loss', `${f.lossPercent}%`]);
      return `netem ${f.lossPercent} % loss, ${f.delayMs}±${f.jitterMs} ms`;
    } catch (error) {
      if (!/qdisc kind is unknown/.test((error as Error).message)) throw error;
    }
    await run(tc[0]!, [...tc.slice(1), 'qdisc', 'replace', 'dev', LAN_IF, 'root', 'handle', '1:', 'htb', 'default', '1']);
    await run(tc[0]!, [...tc.slice(1), 'class', 'replace', 'dev', LAN_IF, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', `${f.rateKbit}kbit`, 'burst', '2k']);
    await run(tc[0]!, [...tc.slice(1), 'qdisc', 'replace', 'dev', LAN_IF, 'parent', '1:1', 'handle', '10:', 'pfifo', 'limit', String(f.queuePackets)]);
    return `no sch_netem in this kernel: htb ${f.rateKbit} kbit/s over a ${f.queuePackets}-packet queue`;
  }

  async uncut(i: number, j: number): Promise<void> {
    const [a, b] = [this.lan.hosts[i]!, this.lan.hosts[j]!];
    this.cuts.delete(`${i}-${j}`);
    await run('ip', ['-n', a.netns, 'route', 'del', 'blackhole', `${b.lanAddr}/32`]).catch(() => {});
    await run('ip', ['-n', b.netns, 'route', 'del', 'blackhole', `${a.lanAddr}/32`]).catch(() => {});
  }

  async clearNetem(i: number): Promise<string> {
    this.shaped.delete(i);
    const tc = ['netns', 'exec', this.lan.hosts[i]!.netns, 'tc'];
    // The root qdisc's counters: what the fault did to the link.
    const stats = await execFileAsync('ip', [...tc, '-s', 'qdisc', 'show', 'dev', LAN_IF], { timeout: 10_000 }).then(({ stdout }) => stdout, () => '');
    await run('ip', [...tc, 'qdisc', 'del', 'dev', LAN_IF, 'root']).catch(() => run('ip', [...tc, 'qdisc', 'del', 'dev', LAN_IF, 'root'])).catch(() => {});
    const m = /Sent \d+ bytes (\d+) pkt \(dropped (\d+)/.exec(stats);
    return m === null ? 'no counters' : `${m[1]} packets sent, ${m[2]} dropped`;
  }

  async heal(): Promise<string[]> {
    for (const key of [...this.cuts]) {
      const [i, j] = key.split('-').map(Number) as [number, number];
      await this.uncut(i, j);
    }
    for (const i of [...this.shaped]) await this.clearNetem(i);
    // Then every host is looked at, not only the ones known to be faulty: a `tc` or `ip`
    // that failed under load must not leave a slow link or a cut behind the heal.
    const leftovers: string[] = [];
    for (const h of this.lan.hosts) {
      const qdisc = await output('ip', ['netns', 'exec', h.netns, 'tc', 'qdisc', 'show', 'dev', LAN_IF]);
      if (/htb|netem/.test(qdisc)) {
        leftovers.push(`${h.name}: ${qdisc.split('\n')[0]}`);
        await run('ip', ['netns', 'exec', h.netns, 'tc', 'qdisc', 'del', 'dev', LAN_IF, 'root']);
      }
      for (const route of (await output('ip', ['-n', h.netns, 'route', 'show', 'type', 'blackhole'])).split('\n').filter(Boolean)) {
        leftovers.push(`${h.name}: ${route}`);
        await run('ip', ['-n', h.netns, 'route', 'del', ...route.trim().split(/\s+/)]);
      }
    }
    return leftovers;
  }

  async destroy(): Promise<void> {
    await this.lan.destroy();
  }
}

class LoopbackNetwork implements HostNetwork {
  readonly kind = 'loopback';
  readonly shapes = false;
  readonly dirPrefix = 'raftnotes-history-';
  private readonly ports: number[];

  private constructor(ports: number[]) {
    this.ports = ports;
  }

  /** create reserves one port per peer, so a peer restarted keeps the address the others know. */
  static async create(count: number): Promise<LoopbackNetwork> {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    return new LoopbackNetwork(ports);
  }

  serveArgs(i: number): string[] {
    return ['--listen', `/ip4/127.0.0.1/tcp/${this.ports[i]}`, '--no-mdns'];
  }

  exec(): string[] {
    return [];
  }

  async cut(): Promise<void> {
    throw new Error('cuts need network namespaces (run as root)');
  }

  async uncut(): Promise<void> {}

  async netem(): Promise<string> {
    throw new Error('netem needs network namespaces (run as root)');
  }

  async clearNetem(): Promise<string> {
    return 'no netem on 127.0.0.1';
  }

  async heal(): Promise<string[]> {
    return [];
  }

  async destroy(): Promise<void> {}
}

/** freePort asks the system for a TCP port free on 127.0.0.1 now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** output runs a command and returns its stdout, or '' when it fails. */
async function output(file: string, args: string[]): Promise<string> {
  return execFileAsync(file, args, { timeout: 10_000 }).then(({ stdout }) => stdout, () => '');
}

async function run(file: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(file, args, { timeout: 10_000 });
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

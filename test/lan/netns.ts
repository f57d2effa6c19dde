// A LAN of network namespaces on one Linux host, for tests of real peers that
// find each other by mDNS. Needs root and iproute2; `lanProblem()` says why not.
//
// Layout of one LAN, named by prefix `rnt<pid><L>` (L: a, b, … per LAN of the
// process; interface names stay within Linux's 15 characters), so runs never
// collide and leftovers of a crashed run are recognised by their dead pid:
//
//   namespace rnt<pid>L-a                          root namespace
//     lan0 10.77.0.11/24  <- veth ->  rnt<pid>La-l  port of bridge rnt<pid>L-br0 (the "switch")
//     ctl0 10.78.X.2/30   <- veth ->  rnt<pid>La-c  10.78.X.1/30 (control link: the test reaches the API here)
//     lo up, route 224.0.0.0/4 dev lan0 (mDNS)
//
// The LAN carries only the peers' own traffic; the test's API calls go over
// each namespace's point-to-point control link, so partitions and cuts of
// the LAN never cut the test off from a peer. No namespace has a default
// route, so nothing leaves the namespaces this LAN made (a peer's control
// address is unreachable from the other namespaces, whatever ip_forward is).
//
// A partition moves switch ports between bridges: partition([['a','b'], ['c','d','e']])
// leaves a and b on bridge br0 and puts c, d and e on bridge br1, so each
// side is one switch, connected inside and cut off from the other; heal()
// plugs every port back into br0. cut(host) and restore(host) take one
// namespace's LAN link down and up.
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** PREFIX starts every namespace, interface and temp dir name of this process's LANs: temp dirs are `${PREFIX}-…`. */
export const PREFIX = `rnt${process.pid}`;
/** OWNED matches names that start with some process's PREFIX and captures that pid. */
const OWNED = /^rnt(\d+)[-a-z]/;
let lans = 0;
const LAN_IF = 'lan0';
const CONTROL_IF = 'ctl0';

/** LanHost is one namespace of a LAN. */
export interface LanHost {
  /** One letter: a, b, c, … */
  readonly name: string;
  /** The network namespace. */
  readonly netns: string;
  /** The address on the LAN, e.g. 10.77.0.11. */
  readonly lanAddr: string;
  /** The namespace's end of its control link, reachable from the root namespace, e.g. 10.78.5.2. */
  readonly controlAddr: string;
  /** The command prefix that runs a program inside the namespace. */
  readonly exec: string[];
}

/** ip runs `ip <args>` and returns its stdout; it throws with ip's own message. */
async function ip(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ip', args, { timeout: 10_000 });
    return stdout;
  } catch (error) {
    const err = error as { code?: unknown; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new Error('the ip command is missing (install iproute2)');
    throw new Error(`ip ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

/** quietly runs `ip <args>` and ignores failure (for cleanup of what may be gone already). */
async function quietly(args: string[]): Promise<void> {
  await ip(args).catch(() => {});
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** lanProblem returns why LAN tests cannot run here (not Linux, not root, no iproute2, no namespaces), or null. */
export async function lanProblem(): Promise<string | null> {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = `${PREFIX}-probe`;
  try {
    await ip(['netns', 'add', probe]);
    await ip(['link', 'add', `${PREFIX}z-p`, 'type', 'veth', 'peer', 'name', LAN_IF, 'netns', probe]);
    await ip(['link', 'add', `${PREFIX}-brp`, 'type', 'bridge']);
    return null;
  } catch (error) {
    return `network namespaces are not available: ${(error as Error).message}`;
  } finally {
    await quietly(['link', 'del', `${PREFIX}-brp`]);
    await quietly(['netns', 'del', probe]);
  }
}

/** killNamespacePids kills (SIGKILL) every process still running inside a namespace. */
async function killNamespacePids(netns: string): Promise<void> {
  const out = await ip(['netns', 'pids', netns]).catch(() => '');
  for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** removeLeftovers removes namespaces, interfaces and temp dirs of earlier runs whose process is gone. */
export async function removeLeftovers(): Promise<void> {
  const dead = (name: string) => {
    const m = OWNED.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  };
  const namespaces = (await ip(['netns', 'list']).catch(() => '')).split('\n').map((l) => l.split(' ')[0]!).filter(dead);
  for (const ns of namespaces) {
    await killNamespacePids(ns);
    await quietly(['netns', 'del', ns]);
  }
  const links = (await ip(['-o', 'link', 'show']).catch(() => '')).split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => n !== undefined && dead(n));
  for (const link of links) await quietly(['link', 'del', link]);
  const dirs = await readdir(tmpdir()).catch(() => [] as string[]);
  await Promise.all(dirs.filter(dead).map((d) => rm(join(tmpdir(), d), { recursive: true, force: true })));
}

/** freeControlOctet picks the third octet of a 10.78.X.0/24 that no interface of the root namespace uses. */
async function freeControlOctet(): Promise<number> {
  const used = new Set<number>();
  for (const m of (await ip(['-4', '-o', 'addr', 'show'])).matchAll(/inet 10\.78\.(\d+)\./g)) used.add(Number(m[1]));
  for (let i = 0; i < 256; i++) {
    const octet = (process.pid + i) % 256;
    if (!used.has(octet)) return octet;
  }
  throw new Error('every 10.78.X.0/24 is in use in the root namespace');
}

/** Lan is a set of namespaces on one switch, with partitions, cuts and a cleanup. */
export class Lan {
  readonly hosts: readonly LanHost[];
  /** The prefix of this LAN's names: PREFIX and one letter. */
  private readonly prefix: string;
  private readonly bridges = new Set<string>();
  private destroyed = false;

  private constructor(prefix: string, hosts: LanHost[]) {
    this.prefix = prefix;
    this.hosts = hosts;
  }

  /** create makes `count` namespaces (a, b, c, …) on one bridge; on failure it removes what it made. */
  static async create(count: number): Promise<Lan> {
    if (count < 1 || count > 26) throw new RangeError('a LAN has 1 to 26 hosts');
    if (lans === 26) throw new RangeError('one process makes at most 26 LANs');
    const prefix = `${PREFIX}${String.fromCharCode(97 + lans++)}`;
    const octet = await freeControlOctet();
    const hosts = Array.from({ length: count }, (_, i): LanHost => {
      const name = String.fromCharCode(97 + i);
      const netns = `${prefix}-${name}`;
      return { name, netns, lanAddr: `10.77.0.${11 + i}`, controlAddr: `10.78.${octet}.${4 * i + 2}`, exec: ['ip', 'netns', 'exec', netns] };
    });
    const lan = new Lan(prefix, hosts);
    try {
      await lan.addBridge(lan.bridge(0));
      for (const [i, h] of hosts.entries()) {
        await ip(['netns', 'add', h.netns]);
        await ip(['-n', h.netns, 'link', 'set', 'lo', 'up']);
        await ip(['link', 'add', lan.lanPort(h), 'type', 'veth', 'peer', 'name', LAN_IF, 'netns', h.netns]);
        await ip(['link', 'set', lan.lanPort(h), 'master', lan.bridge(0), 'up']);
        await ip(['-n', h.netns, 'addr', 'add', `${h.lanAddr}/24`, 'dev', LAN_IF]);
        await ip(['-n', h.netns, 'link', 'set', LAN_IF, 'up']);
        await ip(['-n', h.netns, 'route', 'add', '224.0.0.0/4', 'dev', LAN_IF]);
        const controlPort = lan.controlPort(h);
        await ip(['link', 'add', controlPort, 'type', 'veth', 'peer', 'name', CONTROL_IF, 'netns', h.netns]);
        await ip(['addr', 'add', `10.78.${octet}.${4 * i + 1}/30`, 'dev', controlPort]);
        await ip(['link', 'set', controlPort, 'up']);
        await ip(['-n', h.netns, 'addr', 'add', `${h.controlAddr}/30`, 'dev', CONTROL_IF]);
        await ip(['-n', h.netns, 'link', 'set', CONTROL_IF, 'up']);
      }
    } catch (error) {
      await lan.destroy();
      throw error;
    }
    return lan;
  }

  /** host returns the host named `name` (a, b, …). */
  host(name: string): LanHost {
    const h = this.hosts.find((x) => x.name === name);
    if (h === undefined) throw new Error(`no host "${name}" on this LAN`);
    return h;
  }

  /** partition puts group i on bridge i: group 0 stays on the main bridge with every host not named. */
  async partition(groups: string[][]): Promise<void> {
    for (const [i, group] of groups.entries()) {
      if (i > 0) await this.addBridge(this.bridge(i));
      for (const name of group) await ip(['link', 'set', this.lanPort(this.host(name)), 'master', this.bridge(i)]);
    }
  }

  /** heal plugs every host back into the main bridge. */
  async heal(): Promise<void> {
    for (const h of this.hosts) await ip(['link', 'set', this.lanPort(h), 'master', this.bridge(0)]);
  }

  /** cut takes a host's LAN link down: the host is off the LAN, its control link stays. */
  async cut(name: string): Promise<void> {
    await ip(['-n', this.host(name).netns, 'link', 'set', LAN_IF, 'down']);
  }

  /** restore brings a host's LAN link up again, with the multicast route that went away with it. */
  async restore(name: string): Promise<void> {
    const { netns } = this.host(name);
    await ip(['-n', netns, 'link', 'set', LAN_IF, 'up']);
    await ip(['-n', netns, 'route', 'replace', '224.0.0.0/4', 'dev', LAN_IF]);
  }

  /** destroy kills what still runs in the namespaces and removes namespaces, veths and bridges; it never throws. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const h of this.hosts) {
      await killNamespacePids(h.netns);
      await quietly(['netns', 'del', h.netns]);
      // Deleting a namespace deletes its veths once no process holds it; these are for the rest.
      await quietly(['link', 'del', this.lanPort(h)]);
      await quietly(['link', 'del', this.controlPort(h)]);
    }
    for (const br of this.bridges) await quietly(['link', 'del', br]);
  }

  /** bridge names bridge i: br0 is the main one; a partition adds br1, br2, … */
  bridge(i: number): string {
    return `${this.prefix}-br${i}`;
  }

  /** lanPort names the root namespace's end of a host's LAN veth (a bridge port). */
  lanPort(h: LanHost): string {
    return `${this.prefix}${h.name}-l`;
  }

  /** controlPort names the root namespace's end of a host's control link. */
  controlPort(h: LanHost): string {
    return `${this.prefix}${h.name}-c`;
  }

  private async addBridge(name: string): Promise<void> {
    if (this.bridges.has(name)) return;
    this.bridges.add(name);
    // No STP, no forwarding delay, no multicast snooping: a port forwards (mDNS too) as soon as it is plugged in.
    await ip(['link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
    await ip(['link', 'set', name, 'up']);
  }
}

/** namespacePids lists the pids running in a namespace (for tests of the cleanup). */
export async function namespacePids(netns: string): Promise<number[]> {
  return (await ip(['netns', 'pids', netns]).catch(() => '')).split(/\s+/).filter(Boolean).map(Number);
}

/** namespaceExists tells whether a namespace of that name is still listed. */
export async function namespaceExists(netns: string): Promise<boolean> {
  const names = (await ip(['netns', 'list']).catch(() => '')).split('\n').map((l) => l.split(' ')[0]);
  return names.includes(netns);
}

/** linkExists tells whether the root namespace still has an interface of that name. */
export async function linkExists(name: string): Promise<boolean> {
  return ip(['link', 'show', name]).then(() => true, () => false);
}

// The LAN of namespaces that the LAN cluster tests run on (netns.ts): who
// reaches whom by TCP and by multicast (mDNS needs both) on one switch, split
// in two, with one host cut off and after each repair; that the test process
// reaches every host over its control link throughout; and that nothing is
// left behind, by a run that ends or by one that crashed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lan, lanProblem, linkExists, namespaceExists, removeLeftovers } from './netns.ts';

const execFileAsync = promisify(execFile);
const problem = await lanProblem();

const GROUP = '239.77.0.1';
/** SERVER runs in each namespace: TCP port 7000 answers with the multicast messages seen on port 7001. */
const SERVER = `
const seen = [];
const u = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
u.on('message', (m) => seen.push(String(m)));
u.bind(7001, () => u.addMembership('${GROUP}', process.argv[1]));
require('node:net').createServer((s) => s.end(JSON.stringify(seen))).listen(7000, '0.0.0.0');`;
/** PROBE runs in one namespace: it multicasts a token, then asks each target by TCP whether the token arrived. */
const PROBE = `
const [token, ...targets] = process.argv.slice(1);
const u = require('node:dgram').createSocket('udp4');
u.send(token, 7001, '${GROUP}', () => u.close());
setTimeout(async () => {
  const out = {};
  await Promise.all(targets.map((t) => new Promise((resolve) => {
    const s = require('node:net').connect(7000, t);
    let data = '';
    s.setTimeout(400, () => { s.destroy(); resolve(); });
    s.on('data', (d) => { data += d; });
    s.on('end', () => { out[t] = JSON.parse(data).includes(token); resolve(); });
    s.on('error', () => resolve());
  })));
  console.log(JSON.stringify(out));
}, 150);`;

let lan: Lan | null = null;
const servers: ChildProcess[] = [];
let round = 0;

beforeAll(async () => {
  if (problem !== null) return;
  await removeLeftovers();
  lan = await Lan.create(4);
  for (const h of lan.hosts) servers.push(spawn(h.exec[0]!, [...h.exec.slice(1), process.execPath, '-e', SERVER, h.lanAddr], { stdio: 'ignore' }));
  await waitUntil(async () => (await Promise.all(lan!.hosts.map((h) => controlReach(h.controlAddr)))).every(Boolean));
}, 30_000);

afterAll(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await lan?.destroy();
}, 30_000);

/** links probes every pair: "a>b" when a reaches b by TCP, "a~b" when b also got a's multicast. */
async function links(net: Lan): Promise<string[]> {
  round++;
  const found: string[] = [];
  await Promise.all(net.hosts.map(async (from) => {
    const others = net.hosts.filter((h) => h !== from);
    const { stdout } = await execFileAsync(from.exec[0]!, [...from.exec.slice(1), process.execPath, '-e', PROBE,
      `${round}:${from.name}`, ...others.map((h) => h.lanAddr)]);
    const out = JSON.parse(stdout) as Record<string, boolean>;
    for (const to of others) {
      if (to.lanAddr in out) found.push(`${from.name}>${to.name}`);
      if (out[to.lanAddr] === true) found.push(`${from.name}~${to.name}`);
    }
  }));
  return found.sort();
}

/** connected lists the links of hosts that share a side: every pair within each group, both ways. */
function connected(groups: string[][]): string[] {
  const out: string[] = [];
  for (const g of groups) for (const a of g) for (const b of g) if (a !== b) out.push(`${a}>${b}`, `${a}~${b}`);
  return out.sort();
}

function controlReach(addr: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(7000, addr);
    s.setTimeout(1_000, () => { s.destroy(); resolve(false); });
    s.on('data', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describe.skipIf(problem !== null)('Netns', () => {
  it('connects every host to every other on one switch, by TCP and by multicast', async () => {
    expect(await links(lan!)).toEqual(connected([['a', 'b', 'c', 'd']]));
  });

  it('splits the LAN into sides connected inside and cut off from each other, and heals it', async () => {
    await lan!.partition([['a', 'b'], ['c', 'd']]);
    expect(await links(lan!)).toEqual(connected([['a', 'b'], ['c', 'd']]));
    for (const h of lan!.hosts) expect(await controlReach(h.controlAddr)).toBe(true);
    await lan!.heal();
    expect(await links(lan!)).toEqual(connected([['a', 'b', 'c', 'd']]));
  });

  it('cuts one host off the LAN and restores it with its multicast route', async () => {
    await lan!.cut('c');
    expect(await links(lan!)).toEqual(connected([['a', 'b', 'd']]));
    expect(await controlReach(lan!.host('c').controlAddr)).toBe(true);
    await lan!.restore('c');
    expect(await links(lan!)).toEqual(connected([['a', 'b', 'c', 'd']]));
  });

  it('removes its namespaces, veths and bridges and kills what runs inside', async () => {
    const small = await Lan.create(1);
    const h = small.hosts[0]!;
    const child = spawn(h.exec[0]!, [...h.exec.slice(1), process.execPath, '-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    await small.partition([[], ['a']]);
    await small.destroy();
    await exited(child);
    expect(await namespaceExists(h.netns)).toBe(false);
    for (const link of [small.lanPort(h), small.controlPort(h), small.bridge(0), small.bridge(1)]) expect(await linkExists(link)).toBe(false);
  });

  it('removes what a run whose process is gone left behind', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await exited(gone);
    const old = `rnt${gone.pid}`;
    await execFileAsync('ip', ['netns', 'add', `${old}-a`]);
    await execFileAsync('ip', ['link', 'add', `${old}-br0`, 'type', 'bridge']);
    const orphan = spawn('ip', ['netns', 'exec', `${old}-a`, process.execPath, '-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    await mkdir(join(tmpdir(), `${old}-data`));
    await waitUntil(async () => (await execFileAsync('ip', ['netns', 'pids', `${old}-a`])).stdout.trim().length > 0);
    await removeLeftovers();
    await exited(orphan);
    expect(await namespaceExists(`${old}-a`)).toBe(false);
    expect(await linkExists(`${old}-br0`)).toBe(false);
    await expect(stat(join(tmpdir(), `${old}-data`))).rejects.toThrow();
    // This run's own LAN stays.
    expect(await namespaceExists(lan!.hosts[0]!.netns)).toBe(true);
  });
});

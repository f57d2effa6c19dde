// The history runner's network faults do what they say: a cut stops TCP
// between two namespaces both ways and an uncut lets it through again, the
// heal removes a cut it did not make, and a
// degraded link (netem, or its htb stand-in) is set and cleared with its
// counters. Needs root; skipped with the reason otherwise.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, namespaceProblem, type HostNetwork } from './network.ts';

const problem = await namespaceProblem();
if (problem !== null) console.warn(`test/history/runner/network.test.ts is skipped: ${problem}.`);

let net: HostNetwork | null = null;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  if (problem !== null) return;
  net = await createNetwork(2, 'namespaces');
  // A TCP echo of "ok" on each host's LAN address.
  for (const [i, addr] of ['10.77.0.11', '10.77.0.12'].entries()) {
    const server = spawn(net.exec(i)[0]!, [...net.exec(i).slice(1), process.execPath, '-e',
      `require('node:net').createServer((s) => s.end('ok')).listen(5000, '${addr}', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    servers.push(server);
    await new Promise<void>((resolve) => server.stdout!.once('data', () => resolve()));
  }
}, 30_000);

afterAll(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await net?.destroy();
}, 30_000);

/** reaches says whether host `from` gets "ok" from `to`'s server within 1.5 s. */
async function reaches(from: number, toAddr: string): Promise<boolean> {
  const script = `const s = require('node:net').connect(5000, '${toAddr}'); s.setTimeout(1500, () => { console.log('timeout'); process.exit(0); });
    s.on('data', (d) => { console.log(String(d)); process.exit(0); }); s.on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const child = spawn(net!.exec(from)[0]!, [...net!.exec(from).slice(1), process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += String(d); });
  await new Promise((resolve) => child.once('exit', resolve));
  return out.trim() === 'ok';
}

describe.skipIf(problem !== null)('HostNetwork in namespaces', () => {
  it('cuts two hosts apart both ways, and lets them through again', async () => {
    expect(await reaches(0, '10.77.0.12')).toBe(true);
    expect(await reaches(1, '10.77.0.11')).toBe(true);
    await net!.cut(0, 1);
    expect(await reaches(0, '10.77.0.12')).toBe(false);
    expect(await reaches(1, '10.77.0.11')).toBe(false);
    await net!.uncut(0, 1);
    expect(await reaches(0, '10.77.0.12')).toBe(true);
    expect(await reaches(1, '10.77.0.11')).toBe(true);
  }, 30_000);

  it('heals what it did not know of: a cut left behind by a failed command', async () => {
    await promisify(execFile)('ip', ['-n', net!.exec(0)[3]!, 'route', 'add', 'blackhole', '10.77.0.12/32']);
    expect(await reaches(0, '10.77.0.12')).toBe(false);
    expect(await net!.heal()).toEqual([expect.stringMatching(/^a: blackhole 10\.77\.0\.12/)]);
    expect(await reaches(0, '10.77.0.12')).toBe(true);
    expect(await net!.heal()).toEqual([]);
  }, 30_000);

  it('degrades a link and clears it, with its counters', async () => {
    const how = await net!.netem(0, { lossPercent: 10, delayMs: 20, jitterMs: 10, rateKbit: 64, queuePackets: 4 });
    expect(how).toMatch(/^netem 10 % loss|^no sch_netem in this kernel: htb 64 kbit\/s over a 4-packet queue$/);
    expect(await reaches(0, '10.77.0.12')).toBe(true);
    expect(await net!.clearNetem(0)).toMatch(/^\d+ packets sent, \d+ dropped$/);
    expect(await reaches(0, '10.77.0.12')).toBe(true);
  }, 30_000);
});

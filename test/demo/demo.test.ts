// `raftnotes demo --nodes 3`: the peers, the dashboard's proxy and control API,
// and the Raft walkthrough played on them: a crashed leader is replaced, a
// restarted peer catches up, an isolated peer stops committing and its log
// ends identical to the others' after it reconnects. One demo serves the
// whole file; each step leaves the cluster running for the next.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../cluster/peer-process.ts';
import { DemoProcess, isAlive, stopAllDemos } from './demo-process.ts';

const demo = new DemoProcess();

beforeAll(async () => {
  await demo.start(['--nodes', '3']);
}, 90_000);

afterAll(async () => {
  await stopAllDemos();
}, 60_000);

interface LogPage { firstIndex: number; commitIndex: number; lastIndex: number; entries: Array<{ index: number; term: number; kind: string; summary: string }> }

async function logOf(name: string): Promise<LogPage> {
  const res = await demo.peerApi<LogPage>(name, 'GET', '/api/log?from=1&limit=1000');
  expect(res.status).toBe(200);
  return res.body;
}

/** logsAgree waits until every named peer holds the same entries (index and term), all committed. */
async function logsAgree(names: string[]): Promise<LogPage> {
  return waitFor(`identical logs on ${names.join(', ')}`, async () => {
    const logs = await Promise.all(names.map(logOf));
    const key = (l: LogPage) => JSON.stringify(l.entries.map((e) => [e.index, e.term]));
    const same = logs.every((l) => key(l) === key(logs[0]!) && l.commitIndex === l.lastIndex);
    return same ? logs[0] : undefined;
  }, 30_000);
}

describe('Demo', () => {
  it('starts three peers named A, B and C with one leader', async () => {
    const peers = await waitFor('three running peers', async () => {
      const p = await demo.peers();
      return p.every((x) => x.state === 'running') ? p : undefined;
    });
    expect(peers.map((p) => p.name)).toEqual(['A', 'B', 'C']);
    expect(await demo.leader()).toMatch(/^[ABC]$/);
    await waitFor('three voters', async () => {
      const { body } = await demo.peerApi('A', 'GET', '/api/status');
      return body.members.filter((m: { voter: boolean }) => m.voter).length === 3;
    }, 20_000);
  });

  it('refuses a bad token, a foreign Host or Origin, and names an unknown node', async () => {
    expect((await demo.call('GET', '/peers/A/api/status', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await demo.call('GET', '/api/demo/peers', undefined, { authorization: '' })).status).toBe(401);
    expect((await demo.call('GET', '/api/demo/events', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await demo.call('GET', '/api/demo/events', undefined, { origin: 'http://evil.example' })).body.error).toBe('forbidden-origin');
    // fetch sets Host itself; node:http lets a test send a rebound name.
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL('/peers/A/api/status', demo.url), { headers: { host: 'evil.example:80', authorization: `Bearer ${demo.token}` } }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.once('error', reject);
      req.end();
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toBe('forbidden-host');
    expect((await demo.call('POST', '/api/demo/peers/A/crash', undefined, { origin: 'http://evil.example' })).body.error).toBe('forbidden-origin');
    const unknown = await demo.call('GET', '/peers/Z/api/status');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('A, B, C');
    expect((await demo.peers()).every((p) => p.state === 'running')).toBe(true);
  });

  it('answers /api/log by index with terms and kinds, and 400 with what to do for bad parameters', async () => {
    const leader = await demo.leader();
    expect((await demo.peerApi(leader, 'POST', '/api/notes', { text: 'log me' })).status).toBe(201);
    const log = await logOf(leader);
    expect(log.firstIndex).toBe(1);
    expect(log.entries.map((e) => e.index)).toEqual(Array.from({ length: log.lastIndex }, (_, i) => i + 1));
    expect(log.entries[0]).toMatchObject({ index: 1, term: 1, kind: 'noop' });
    expect(log.entries.some((e) => e.kind === 'membership')).toBe(true);
    expect(log.entries.at(-1)).toMatchObject({ kind: 'note', summary: 'add "log me" by ' + leader });
    const tail = await demo.peerApi<LogPage>(leader, 'GET', '/api/log?limit=2');
    expect(tail.body.entries.map((e) => e.index)).toEqual([log.lastIndex - 1, log.lastIndex]);
    const page = await demo.peerApi<LogPage>(leader, 'GET', '/api/log?from=2&limit=1');
    expect(page.body.entries).toEqual([log.entries[1]]);
    expect((await demo.peerApi<LogPage>(leader, 'GET', `/api/log?from=${log.lastIndex + 5}`)).body.entries).toEqual([]);
    for (const query of ['from=0', 'from=abc', 'limit=0', 'limit=1001', 'from=1.5', 'limit=-3']) {
      const bad = await demo.peerApi(leader, 'GET', `/api/log?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body).toMatchObject({ error: 'invalid-range' });
      expect(bad.body.message).toMatch(/whole number/);
    }
  });

  it('elects another leader when the leader is crashed, and a restarted peer catches up', async () => {
    const old = await demo.leader();
    const crash = await demo.call('POST', `/api/demo/peers/${old}/crash`);
    expect(crash.status).toBe(200);
    expect(crash.body.peer).toMatchObject({ name: old, state: 'stopped', lastExit: 'crashed (SIGKILL)' });
    expect((await demo.peerApi(old, 'GET', '/api/status')).status).toBe(503);
    const survivors = ['A', 'B', 'C'].filter((n) => n !== old);
    const next = await demo.leader(survivors);
    expect(next).not.toBe(old);
    expect((await demo.peerApi(next, 'POST', '/api/notes', { text: 'while one was down' })).status).toBe(201);

    const start = await demo.call('POST', `/api/demo/peers/${old}/start`);
    expect(start.status).toBe(200);
    expect(start.body.peer.state).toBe('running');
    const log = await logsAgree(['A', 'B', 'C']);
    expect(log.entries.some((e) => e.summary.includes('while one was down'))).toBe(true);
    expect((await demo.call('POST', `/api/demo/peers/${old}/start`)).status).toBe(409);
  });

  it('stops committing on an isolated peer, and its log ends identical to the others after it reconnects', async () => {
    const leader = await demo.leader();
    const lonely = ['A', 'B', 'C'].find((n) => n !== leader)!;
    expect((await demo.peerApi(lonely, 'POST', '/api/network', { isolated: true })).status).toBe(200);
    const before = (await logOf(lonely)).commitIndex;
    for (let i = 0; i < 3; i++) expect((await demo.peerApi(leader, 'POST', '/api/notes', { text: `majority ${i}` })).status).toBe(201);
    const leaderLog = await logOf(leader);
    expect(leaderLog.commitIndex).toBeGreaterThanOrEqual(before + 3);
    expect((await logOf(lonely)).commitIndex).toBe(before);

    expect((await demo.peerApi(lonely, 'POST', '/api/network', { isolated: false })).status).toBe(200);
    const log = await logsAgree(['A', 'B', 'C']);
    expect(log.entries.filter((e) => e.summary.startsWith('add "majority'))).toHaveLength(3);
  });

  it('shows a peer killed from outside as stopped, keeps the others running, and starts it again', async () => {
    const victim = (await demo.peers()).find((p) => p.name === 'C')!;
    process.kill(victim.pid!, 'SIGKILL');
    const row = await waitFor('C shown as stopped', async () => (await demo.peers()).find((p) => p.name === 'C' && p.state === 'stopped'));
    expect(row).toMatchObject({ pid: null, api: null, lastExit: 'crashed (SIGKILL)' });
    expect((await demo.peers()).filter((p) => p.state === 'running').map((p) => p.name)).toEqual(['A', 'B']);
    expect((await demo.call('POST', '/api/demo/peers/C/start')).status).toBe(200);
    await logsAgree(['A', 'B', 'C']);
  });

  it('stops every peer gently on SIGTERM and removes its temporary directory', async () => {
    const pids = (await demo.peers()).map((p) => p.pid!);
    expect(existsSync(demo.dataDir)).toBe(true);
    expect(await demo.stop()).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(demo.dataDir)).toBe(false);
    // Standard output held only JSON lines (the ready line); what a person reads went to standard error.
    await waitFor('the last line on stderr', () => demo.stderr.some((l) => l.startsWith('raftnotes demo: stopped; removed ')));
    expect(demo.notJson).toEqual([]);
    expect(demo.stderr).toContain('raftnotes demo: stopping the peers…');
    expect(demo.stderr.some((l) => l.startsWith(`raftnotes demo: dashboard: ${demo.url}`))).toBe(true);
  }, 60_000);
});

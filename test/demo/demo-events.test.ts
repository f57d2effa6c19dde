// DemoEvents against fake peers: small HTTP servers that speak a peer's
// GET /api/events. No real peer runs, so the dashboard's one stream can be
// checked with more nodes than a browser would open connections for.
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { DemoEvents, REPLAY_LOG_LINES } from '../../demo/events.ts';
import type { DemoNodeView } from '../../demo/view.ts';
import { waitFor } from '../cluster/peer-process.ts';

/** FakePeer serves /api/events to the right token and lets the test write to every open stream. */
class FakePeer {
  readonly token = `token-${Math.random().toString(36).slice(2)}`;
  readonly streams = new Set<ServerResponse>();
  /** How many streams were ever opened. */
  opened = 0;
  /** Lines the peer replays to every new stream, like apiEvents does. */
  readonly recent: Array<{ at: number; text: string }> = [];
  url = '';
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      if (req.url !== '/api/events' || req.headers.authorization !== `Bearer ${this.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\n');
      for (const line of this.recent) res.write(`event: log\ndata: ${JSON.stringify(line)}\n\n`);
      this.opened++;
      this.streams.add(res);
      res.once('close', () => this.streams.delete(res));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  send(event: string, data: unknown): void {
    if (event === 'log') this.recent.push(data as { at: number; text: string });
    this.raw(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  raw(text: string): void {
    for (const res of this.streams) res.write(text);
  }

  /** drop ends every open stream (as a restarting peer would). */
  drop(): void {
    for (const res of this.streams) res.end();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Heard is one event a dashboard received. */
interface Heard { event: string; peer: string; data: any }

/** Dashboard reads GET /api/demo/events as the page would. */
class Dashboard {
  readonly heard: Heard[] = [];
  private readonly controller = new AbortController();

  async open(url: string): Promise<this> {
    const res = await fetch(url, { signal: this.controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const parser = createParser({ onEvent: (m) => this.heard.push({ event: m.event ?? 'message', ...JSON.parse(m.data) }) });
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    })().catch(() => {});
    return this;
  }

  of(peer: string, event: string): any[] {
    return this.heard.filter((h) => h.peer === peer && h.event === event).map((h) => h.data);
  }

  /** until waits for an event of `peer` that matches. */
  until(peer: string, event: string, match: (data: any) => boolean = () => true): Promise<any> {
    return waitFor(`${event} of ${peer}`, () => this.of(peer, event).find(match), 10_000);
  }

  close(): void {
    this.controller.abort();
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function view(name: string, state: DemoNodeView['state'], api: string | null): DemoNodeView {
  return { name, state, api, pid: state === 'running' ? 1000 : null, peerId: `peer-${name}`, port: 1, dataDir: `/tmp/${name}`, lastExit: null };
}

async function setup(count: number, init: ConstructorParameters<typeof DemoEvents>[0] = {}) {
  const events = new DemoEvents({ minBackoffMs: 20, maxBackoffMs: 100, ...init });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => events.subscribe(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/demo/events`;
  const peers = await Promise.all(Array.from({ length: count }, () => new FakePeer().start()));
  const names = peers.map((_, i) => String.fromCharCode(65 + i));
  cleanups.push(async () => {
    events.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await Promise.all(peers.map((p) => p.stop()));
  });
  const run = (i: number) => events.update(view(names[i]!, 'running', peers[i]!.url), { url: peers[i]!.url, token: peers[i]!.token });
  const dashboard = async () => {
    const d = await new Dashboard().open(url);
    cleanups.push(() => d.close());
    return d;
  };
  return { events, url, peers, names, run, dashboard };
}

describe('DemoEvents', () => {
  it('passes trace batches on as they come, never replayed, and tells the lab settings to every dashboard, late ones too', async () => {
    const { events, peers, run, dashboard } = await setup(1);
    const early = await dashboard();
    run(0);
    await waitFor('the peer followed', () => peers[0]!.streams.size === 1);
    const batch = { at: 1, messages: [{ at: 1, type: 'RequestVote', from: 'a', to: 'b', term: 2, preVote: false }], dropped: 0 };
    peers[0]!.send('trace', batch);
    peers[0]!.send('trace', { at: 2, messages: 'not a list' });
    expect(await early.until('A', 'trace')).toEqual(batch);
    events.setLab({ tickMs: 100, paused: true, preVote: false, checkQuorum: false, groups: [] });
    expect(await early.until('', 'lab')).toMatchObject({ tickMs: 100, paused: true });
    const late = await dashboard();
    expect(await late.until('', 'lab')).toMatchObject({ tickMs: 100, paused: true });
    await late.until('A', 'process');
    expect(late.of('A', 'trace')).toEqual([]);
    expect(early.of('A', 'trace')).toHaveLength(1);
  });

  it('fans out the events of 8 peers (more than a browser opens per host) on one stream, one upstream each', async () => {
    const { peers, names, run, dashboard } = await setup(8);
    const page = await dashboard();
    peers.forEach((_, i) => run(i));
    await waitFor('every peer followed', () => peers.every((p) => p.streams.size === 1));
    peers.forEach((p, i) => p.send('status', { role: 'follower', term: i + 1 }));
    for (const [i, name] of names.entries()) {
      expect(await page.until(name, 'status')).toEqual({ role: 'follower', term: i + 1 });
      expect(page.of(name, 'process').at(-1)).toMatchObject({ name, state: 'running' });
      expect(page.of(name, 'upstream')).toContainEqual({ state: 'open' });
    }
    expect(peers.map((p) => p.opened)).toEqual(Array(8).fill(1));
  });

  it('replays each peer\'s process, last status and notes and its recent log lines (bounded) to a late dashboard', async () => {
    const { peers, run, dashboard } = await setup(2);
    run(0);
    run(1);
    await waitFor('both followed', () => peers.every((p) => p.streams.size === 1));
    const early = await dashboard();
    peers[0]!.send('status', { role: 'candidate', term: 2 });
    peers[0]!.send('status', { role: 'leader', term: 2 });
    peers[0]!.send('notes', { notes: [{ id: 'n1', text: 'hello' }] });
    for (let i = 1; i <= REPLAY_LOG_LINES + 10; i++) peers[0]!.send('log', { at: 1000 + i, text: `line ${i}` });
    peers[1]!.send('status', { role: 'follower', term: 2 });
    await early.until('A', 'log', (l) => l.text === `line ${REPLAY_LOG_LINES + 10}`);
    await early.until('B', 'status');

    const late = await dashboard();
    await late.until('B', 'status');
    await late.until('A', 'log', (l) => l.text === `line ${REPLAY_LOG_LINES + 10}`);
    expect(late.of('A', 'process')).toHaveLength(1);
    expect(late.of('A', 'upstream')).toEqual([{ state: 'open' }]);
    expect(late.of('A', 'status')).toEqual([{ role: 'leader', term: 2 }]);
    expect(late.of('A', 'notes')).toEqual([{ notes: [{ id: 'n1', text: 'hello' }] }]);
    expect(late.of('A', 'log').map((l) => l.text)).toEqual(Array.from({ length: REPLAY_LOG_LINES }, (_, i) => `line ${i + 11}`));
    expect(late.of('B', 'status')).toEqual([{ role: 'follower', term: 2 }]);
  });

  it('follows a stopping peer, lets go of a stopped one and follows it again when it starts on a new API', async () => {
    const { events, peers, run, dashboard } = await setup(2);
    const page = await dashboard();
    run(0);
    await waitFor('A followed', () => peers[0]!.streams.size === 1);
    // Stopping gently: still followed, to hear how a leader hands over.
    events.update(view('A', 'stopping', peers[0]!.url), { url: peers[0]!.url, token: peers[0]!.token });
    peers[0]!.send('log', { at: 5, text: 'handing leadership over' });
    await page.until('A', 'log', (l) => l.text === 'handing leadership over');
    events.update({ ...view('A', 'stopped', null), lastExit: 'crashed (SIGKILL)' }, null);
    await waitFor('A let go', () => peers[0]!.streams.size === 0);
    expect(await page.until('A', 'process', (v) => v.state === 'stopped')).toMatchObject({ lastExit: 'crashed (SIGKILL)' });
    await page.until('A', 'upstream', (u) => u.state === 'closed');
    peers[0]!.send('status', { role: 'leader', term: 9 });

    // Started again: a new process on a new port (the second fake).
    events.update(view('A', 'running', peers[1]!.url), { url: peers[1]!.url, token: peers[1]!.token });
    await waitFor('A followed again', () => peers[1]!.streams.size === 1);
    peers[1]!.send('status', { role: 'follower', term: 10 });
    await page.until('A', 'status', (s) => s.term === 10);
    expect(page.of('A', 'status')).toEqual([{ role: 'follower', term: 10 }]);
    expect(peers[0]!.opened).toBe(1);
  });

  it('reconnects to a running peer whose stream ends, without repeating the log lines it replays', async () => {
    const { peers, run, dashboard } = await setup(1);
    const page = await dashboard();
    run(0);
    await waitFor('A followed', () => peers[0]!.streams.size === 1);
    peers[0]!.send('log', { at: 1, text: 'became leader' });
    await page.until('A', 'log');
    peers[0]!.drop();
    expect(await page.until('A', 'upstream', (u) => u.state === 'lost')).toMatchObject({ retryInMs: expect.any(Number) });
    await waitFor('A followed again', () => peers[0]!.opened === 2 && peers[0]!.streams.size === 1);
    await page.until('A', 'upstream', (u) => u.state === 'open' && page.of('A', 'upstream').length >= 3);
    peers[0]!.send('log', { at: 2, text: 'after the restart' });
    await page.until('A', 'log', (l) => l.text === 'after the restart');
    expect(page.of('A', 'log').map((l) => l.text)).toEqual(['became leader', 'after the restart']);
  });

  it('ignores an upstream event that is not JSON, of the wrong shape or unknown, and keeps the stream', async () => {
    const { peers, run, dashboard } = await setup(1);
    const page = await dashboard();
    run(0);
    await waitFor('A followed', () => peers[0]!.streams.size === 1);
    peers[0]!.raw('event: status\ndata: {not json\n\n');
    peers[0]!.raw('event: status\ndata: "a string"\n\n');
    peers[0]!.raw('event: log\ndata: {"at":"soon","text":1}\n\n');
    peers[0]!.raw('event: process\ndata: {"state":"stopped"}\n\n');
    peers[0]!.raw('bogus: field\n\n');
    peers[0]!.send('status', { role: 'leader', term: 3 });
    await page.until('A', 'status');
    expect(page.of('A', 'status')).toEqual([{ role: 'leader', term: 3 }]);
    expect(page.of('A', 'log')).toEqual([]);
    expect(page.of('A', 'process').map((v) => v.state)).toEqual(['running']);
    expect(peers[0]!.opened).toBe(1);
  });

  it('closes a dashboard that stops reading once its backlog passes the bound', async () => {
    const { events, url, peers, run } = await setup(1, { maxBufferedBytes: 64 * 1024 });
    run(0);
    await waitFor('A followed', () => peers[0]!.streams.size === 1);
    const stalled = await new Promise<IncomingMessage>((resolve) => get(url, resolve));
    stalled.pause();
    cleanups.push(() => stalled.destroy());
    await waitFor('one subscriber', () => events.subscriberCount === 1);
    const big = { role: 'leader', term: 1, padding: 'x'.repeat(64 * 1024) };
    // The kernel's socket buffers take some megabytes first; then the backlog grows and the dashboard is dropped.
    await waitFor('the stalled dashboard dropped', () => {
      for (let i = 0; i < 50; i++) peers[0]!.send('status', big);
      return events.subscriberCount === 0;
    }, 30_000);
  });
});

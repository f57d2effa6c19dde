// One port, HTTP/1.1 and HTTP/2 (h2c with prior knowledge): both answered the
// same way, the Host check and the token apply to both, an event stream works
// over HTTP/2, stop() ends HTTP/2 connections and connections that never spoke.
import { connect as connectTcp } from 'node:net';
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../service/logger.ts';
import { HttpApi, type JsonRoute } from './http-api.ts';
import { isHttp2Start } from './two-protocols.ts';

const TOKEN = 'test-token-0123456789abcdefghijkl';
const quiet = createLogger('test', { sink: () => {} });
let api: HttpApi | null = null;
let session: ClientHttp2Session | null = null;

afterEach(async () => {
  session?.destroy();
  session = null;
  await api?.stop();
  api = null;
});

const routes: JsonRoute[] = [
  { method: 'POST', path: '/api/echo/:id', handle: ({ params, body }) => ({ status: 201, body: { id: params['id'], body } }) },
];

async function serve(events?: (send: (e: { event: string; data: unknown }) => void) => () => void): Promise<URL> {
  api = new HttpApi({ host: '127.0.0.1', port: 0, token: TOKEN, routes, log: quiet, ui: null, ...(events !== undefined ? { events: events as never } : {}) });
  return new URL(await api.start());
}

/** ask sends one HTTP/2 request on `s` and resolves with its status and body. */
function ask(s: ClientHttp2Session, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = s.request(headers);
    let status = 0;
    let text = '';
    req.once('response', (h: IncomingHttpHeaders) => { status = Number(h[':status']); });
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { text += chunk; });
    req.once('end', () => resolve({ status, body: text }));
    req.once('error', reject);
    req.end(body);
  });
}

describe('HTTP/1.1 and HTTP/2 on one port', () => {
  it('tells the HTTP/2 preface from anything else, from its first byte on', () => {
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(isHttp2Start(preface)).toBe(true);
    expect(isHttp2Start(preface.subarray(0, 3))).toBe(true); // a first read can be short
    expect(isHttp2Start(Buffer.concat([preface, Buffer.from([0, 0, 0, 4])]))).toBe(true);
    expect(isHttp2Start(Buffer.from('POST /api/notes HTTP/1.1\r\n'))).toBe(false);
    expect(isHttp2Start(Buffer.from('PRX'))).toBe(false);
    expect(isHttp2Start(Buffer.alloc(0))).toBe(false);
  });

  it('answers the same request over both, many at once over one HTTP/2 connection', async () => {
    const url = await serve();
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const one = await fetch(new URL('/api/echo/1', url), { method: 'POST', headers: auth, body: '{"text":"a"}' });
    expect(one.status).toBe(201);
    expect(await one.json()).toEqual({ id: '1', body: { text: 'a' } });
    session = connect(url.origin);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      ask(session!, { ':method': 'POST', ':path': `/api/echo/${i}`, ...auth }, JSON.stringify({ text: `n${i}` }))));
    answers.forEach((a, i) => {
      expect(a.status).toBe(201);
      expect(JSON.parse(a.body)).toEqual({ id: String(i), body: { text: `n${i}` } });
    });
  });

  it('checks the token and the Host (the :authority) over HTTP/2 as over HTTP/1.1', async () => {
    const url = await serve();
    session = connect(url.origin);
    const noToken = await ask(session, { ':method': 'POST', ':path': '/api/echo/1' }, '{}');
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body)).toMatchObject({ error: 'unauthorized' });
    const foreign = await ask(session, { ':method': 'POST', ':path': '/api/echo/1', ':authority': `evil.example:${url.port}`, authorization: `Bearer ${TOKEN}` }, '{}');
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: 'forbidden-host' });
  });

  it('carries an event stream over HTTP/2', async () => {
    let send: ((e: { event: string; data: unknown }) => void) | null = null;
    const url = await serve((s) => { send = s; s({ event: 'hello', data: { n: 1 } }); return () => { send = null; }; });
    session = connect(url.origin);
    const req = session.request({ ':path': '/api/events', authorization: `Bearer ${TOKEN}` });
    req.setEncoding('utf8');
    let text = '';
    const headers = await new Promise<IncomingHttpHeaders>((resolve) => req.once('response', resolve));
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream');
    req.on('data', (chunk: string) => { text += chunk; });
    await expect.poll(() => text).toContain('event: hello\ndata: {"n":1}');
    send!({ event: 'later', data: { n: 2 } });
    await expect.poll(() => text).toContain('event: later\ndata: {"n":2}');
    req.close();
    await expect.poll(() => send).toBeNull(); // the stream's end unsubscribed it
  });

  it('stops with an HTTP/2 connection open and a connection that never sent a byte', async () => {
    const url = await serve();
    session = connect(url.origin);
    session.on('error', () => {});
    expect((await ask(session, { ':method': 'POST', ':path': '/api/echo/1', authorization: `Bearer ${TOKEN}` }, '{}')).status).toBe(201);
    const silent = connectTcp(Number(url.port), '127.0.0.1');
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    silent.on('error', () => {});
    await new Promise<void>((resolve) => silent.once('connect', () => resolve()));
    const sessionClosed = new Promise<void>((resolve) => session!.once('close', () => resolve()));
    const t0 = performance.now();
    await api!.stop();
    api = null;
    expect(performance.now() - t0).toBeLessThan(1_000); // nothing under way: no grace period waited out
    await silentClosed;
    await sessionClosed;
  });
});

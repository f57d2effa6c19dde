import { connect } from 'node:net';
import type { ApiEvent } from '../events.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceError } from '../../service/errors.ts';
import { createLogger } from '../../service/logger.ts';
import { HttpApi, type JsonRoute as Route } from './http-api.ts';
import { STOP_GRACE_MS } from './http-server.ts';
import { MAX_BODY_BYTES } from './json.ts';

const quiet = createLogger('test', { sink: () => {} });

const TOKEN = 'test-token-0123456789abcdefghijkl';
let api: HttpApi | null = null;

afterEach(async () => {
  await api?.stop();
  api = null;
});

async function serve(routes: Route[]): Promise<string> {
  api = new HttpApi({ host: '127.0.0.1', port: 0, token: TOKEN, routes, log: quiet });
  return api.start();
}

const echo: Route[] = [
  { method: 'GET', path: '/api/ping', handle: () => ({ status: 200, body: { pong: true } }) },
  { method: 'POST', path: '/api/echo/:id', handle: ({ params, body }) => ({ status: 201, body: { id: params['id'], body } }) },
  { method: 'GET', path: '/api/fail', handle: () => { throw new ServiceError('conflict', 'Reload and try again.', { current: 1 }); } },
  { method: 'GET', path: '/api/crash', handle: () => { throw new TypeError('boom'); } },
];

describe('HttpApi', () => {
  it('answers a request that carries the token', async () => {
    const url = await serve(echo);
    const res = await fetch(`${url}/api/ping`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pong: true });
  });

  it('refuses a missing or wrong token with 401', async () => {
    const url = await serve(echo);
    expect((await fetch(`${url}/api/ping`)).status).toBe(401);
    const res = await fetch(`${url}/api/ping`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized', message: expect.stringMatching(/api-token/) });
  });

  it('refuses a foreign Host or Origin with 403, even with the token', async () => {
    const url = await serve(echo);
    const port = new URL(url).port;
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/ping', headers: { authorization: `Bearer ${TOKEN}`, ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(await status({ host: `evil.example:${port}` })).toBe(403);
    expect(await status({ host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).toBe(403);
    expect(await status({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe(200);
  });

  it('passes path parameters and the JSON body', async () => {
    const url = await serve(echo);
    const res = await fetch(`${url}/api/echo/n%201`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 'n 1', body: { a: 1 } });
  });

  it('answers invalid JSON, oversized bodies, unknown paths and methods with JSON errors', async () => {
    const url = await serve(echo);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const bad = await fetch(`${url}/api/echo/x`, { method: 'POST', headers: auth, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid-json' });
    const big = await fetch(`${url}/api/echo/x`, { method: 'POST', headers: auth, body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(big.status).toBe(413);
    expect((await fetch(`${url}/api/nothing`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/api/ping`, { method: 'DELETE', headers: auth })).status).toBe(405);
    const fail = await fetch(`${url}/api/fail`, { headers: auth });
    expect(fail.status).toBe(409);
    expect(await fail.json()).toEqual({ error: 'conflict', message: 'Reload and try again.', current: 1 });
  });

  it('reads a body sent in several pieces, and drops one whose client left before its end', async () => {
    const handle = vi.fn(({ body }: { body: unknown }) => ({ status: 201, body: { body } }));
    const url = await serve([...echo, { method: 'POST', path: '/api/count', handle }]);
    const { port } = new URL(url);
    const head = (length: number) => `POST /api/count HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${TOKEN}\r\n` +
      `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    const whole = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(head(13) + '{"text":');
        setTimeout(() => socket.write('"hi"}'), 50);
      });
      let answer = '';
      socket.on('data', (d) => { answer += d.toString(); if (answer.includes('}}')) { socket.destroy(); resolve(answer); } });
      socket.on('error', reject);
    });
    expect(whole).toMatch(/^HTTP\/1.1 201/);
    expect(whole).toContain('{"body":{"text":"hi"}}');
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(head(100) + '{"text":"cut');
        setTimeout(() => { socket.destroy(); resolve(); }, 50);
      });
      socket.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(handle).toHaveBeenCalledTimes(1); // the cut body never reached a handler
    expect((await fetch(`${url}/api/ping`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('drops events sent to a stream between stop() and its close (a peer still logs while it stops)', async () => {
    let send: ((event: ApiEvent) => void) | null = null;
    api = new HttpApi({ host: '127.0.0.1', port: 0, token: TOKEN, routes: echo, log: quiet, events: (s) => { send = s; return () => { send = null; }; } });
    const url = await api.start();
    const stream = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const reader = stream.body!.getReader();
    await reader.read();
    const uncaught = vi.fn();
    process.on('uncaughtException', uncaught);
    try {
      const stopped = api.stop();
      send!({ event: 'log', data: { at: 0, text: 'handing leadership over' } });
      await stopped;
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('uncaughtException', uncaught);
    }
    expect(uncaught).not.toHaveBeenCalled();
    api = null;
  });

  it('keeps serving after a handler throws', async () => {
    const url = await serve(echo);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const crash = await fetch(`${url}/api/crash`, { headers: auth });
    expect(crash.status).toBe(500);
    expect(await crash.json()).toMatchObject({ error: 'internal' });
    expect((await fetch(`${url}/api/ping`, { headers: auth })).status).toBe(200);
  });

  it('stops within its grace period though a request under way never ends, and refuses what comes after on a live connection', async () => {
    let release: (() => void) | null = null;
    let hangAsked = false;
    const routes: Route[] = [
      ...echo,
      { method: 'GET', path: '/api/hang', handle: () => { hangAsked = true; return new Promise(() => {}); } },
      { method: 'GET', path: '/api/slow', handle: () => new Promise((resolve) => { release = () => resolve({ status: 200, body: { slow: true } }); }) },
    ];
    api = new HttpApi({ host: '127.0.0.1', port: 0, token: TOKEN, routes, log: quiet, events: () => () => {} });
    const { port } = new URL(await api.start());
    const ask = (path: string) => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`;
    const hanging = connect(Number(port), '127.0.0.1', () => hanging.write(ask('/api/hang')));
    hanging.on('error', () => {});
    // A keep-alive connection busy when stop() starts, then asked for the event stream, as a page asks again.
    const live = connect(Number(port), '127.0.0.1', () => live.write(ask('/api/slow')));
    live.on('error', () => {});
    let received = '';
    live.on('data', (d) => {
      const first = received === '';
      received += d.toString();
      if (first) live.write(ask('/api/events'));
    });
    await vi.waitFor(() => expect(hangAsked && release !== null).toBe(true)); // both requests are with their handlers
    const t0 = performance.now();
    const stopping = api.stop();
    release!();
    const stopped = await Promise.race([stopping.then(() => true), new Promise((r) => setTimeout(() => r(false), STOP_GRACE_MS + 2_000))]);
    hanging.destroy();
    live.destroy();
    expect(stopped).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(STOP_GRACE_MS - 50); // the hanging request was waited for, then cut
    expect(received).toContain('{"slow":true}');
    expect(received).not.toContain('text/event-stream');
    api = null;
  });
});

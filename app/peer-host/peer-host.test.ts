// The desktop app's peer on its worker thread, driven from this thread as the
// main process drives it: calls and events relayed, the local API for
// scripts switched on and off, a gentle stop that ends the worker, and a
// start that fails said in words.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../core/api/events.ts';
import { PeerHost } from './peer-host.ts';

const WORKER = new URL('./peer-worker.ts', import.meta.url);
const ORIGIN = 'app://raftnotes';
const PAGE = `${ORIGIN}/index.html`;
const dirs: string[] = [];
const hosts: PeerHost[] = [];

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function host(dataDir?: string): Promise<PeerHost> {
  if (dataDir === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-host-'));
    dirs.push(dir);
    dataDir = join(dir, 'notebook');
  }
  const h = await PeerHost.start({ workerUrl: WORKER, dataDir, name: 'Ada', origin: ORIGIN });
  hosts.push(h);
  return h;
}

/** block listens on 127.0.0.1:port as another program would, until the returned function is called. */
async function block(port: number): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return () => new Promise((resolve) => server.close(() => resolve()));
}

describe('PeerHost', () => {
  it('relays calls and events to the peer on its worker thread, refusing other origins there', async () => {
    const h = await host();
    const events: ApiEvent[] = [];
    const unsubscribe = h.subscribe(PAGE, (json) => events.push(JSON.parse(json) as ApiEvent));
    expect(await h.invoke('openNotebook', PAGE, { name: 'Desk' })).toMatchObject({ ok: true, value: { notebook: { name: 'Desk' } } });
    expect(await h.invoke('addNote', PAGE, { text: 'on the worker' })).toMatchObject({ ok: true, value: { committed: true } });
    expect(await h.invoke('addNote', PAGE, { text: '' })).toMatchObject({ ok: false, error: { code: 'invalid-text' } });
    expect(await h.invoke('notes', 'https://evil.example/', {})).toMatchObject({ ok: false, error: { code: 'forbidden-origin' } });
    await expect.poll(() => events.some((e) => e.event === 'notes' && e.data.notes.some((n) => n.text === 'on the worker'))).toBe(true);
    unsubscribe();
  });

  it('tells the main thread the peer\'s summary: a notebook, offline or not, and the notes still pending', async () => {
    const summaries: Array<{ hasNotebook: boolean; offline: boolean; pending: number }> = [];
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-host-'));
    dirs.push(dir);
    const h = await PeerHost.start({ workerUrl: WORKER, dataDir: join(dir, 'notebook'), name: 'Ada', origin: ORIGIN, onSummary: (s) => summaries.push(s) });
    hosts.push(h);
    await expect.poll(() => summaries.at(-1)).toEqual({ hasNotebook: false, offline: false, pending: 0 });
    await h.invoke('openNotebook', PAGE, { name: 'Summary' });
    await h.invoke('setIsolated', PAGE, { isolated: true });
    await expect.poll(() => summaries.at(-1)).toEqual({ hasNotebook: true, offline: true, pending: 0 });
  });

  it('starts and stops the local API for scripts, and stops gently', async () => {
    const h = await host();
    await h.invoke('openNotebook', PAGE, { name: 'Scripts' });
    const url = await h.setLocalApi(true);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/api/status`)).status).toBe(401); // the token is required
    expect(await h.setLocalApi(false)).toBeNull();
    await expect(fetch(`${url}/api/status`)).rejects.toThrow();
    await h.stop();
    expect(await h.invoke('status', PAGE, {})).toMatchObject({ ok: false, error: { code: 'stopping' } });
  });

  it('serves the local API at the port it had before the app restarted, as `raftnotes serve` does; a port taken meanwhile is refused in words', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-host-'));
    dirs.push(dir);
    const dataDir = join(dir, 'notebook');
    const first = await host(dataDir);
    const url = await first.setLocalApi(true);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await first.stop();

    const second = await host(dataDir);
    expect(await second.setLocalApi(true)).toBe(url);
    await second.stop();

    const port = Number(new URL(url!).port);
    const unblock = await block(port);
    try {
      const third = await host(dataDir);
      await expect(third.setLocalApi(true)).rejects.toThrow(`The API address 127.0.0.1:${port}, where this peer served before (kept in ${join(dataDir, 'api-address.json')}), `
        + `is taken by another program. Stop that program to keep the peer's address, or delete ${join(dataDir, 'api-address.json')} `
        + 'and switch Notebook › Local API for scripts off and on again: it then takes a free port.');
    } finally {
      await unblock();
    }
  });

  it('says why the peer did not start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-host-'));
    dirs.push(dir);
    const { writeFile } = await import('node:fs/promises');
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    await expect(PeerHost.start({ workerUrl: WORKER, dataDir: join(file, 'notebook'), name: 'Ada', origin: ORIGIN })).rejects.toThrow(/data directory/);
  });
});

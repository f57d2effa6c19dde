// The desktop app's peer on its worker thread, driven from this thread as the
// main process drives it: calls and events relayed, the local API for
// scripts switched on and off, a gentle stop that ends the worker, and a
// start that fails said in words.
import { mkdtemp, rm } from 'node:fs/promises';
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

async function host(): Promise<PeerHost> {
  const dir = await mkdtemp(join(tmpdir(), 'raftnotes-host-'));
  dirs.push(dir);
  const h = await PeerHost.start({ workerUrl: WORKER, dataDir: join(dir, 'notebook'), name: 'Ada', origin: ORIGIN });
  hosts.push(h);
  return h;
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

  it('says why the peer did not start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-host-'));
    dirs.push(dir);
    const { writeFile } = await import('node:fs/promises');
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    await expect(PeerHost.start({ workerUrl: WORKER, dataDir: join(file, 'notebook'), name: 'Ada', origin: ORIGIN })).rejects.toThrow(/data directory/);
  });
});

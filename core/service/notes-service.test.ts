// The first-run shell on a real data directory, in-process: it waits for a
// notebook, refuses a second first-run request, and closes what it opened
// when a component cannot start, so the data directory can be used again.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotesService } from './notes-service.ts';

const dirs: string[] = [];
const services: NotesService[] = [];
const servers: Server[] = [];

async function service(init: Partial<ConstructorParameters<typeof NotesService>[0]> = {}): Promise<NotesService> {
  const dataDir = init.dataDir ?? await mkdtemp(join(tmpdir(), 'raftnotes-service-'));
  if (init.dataDir === undefined) dirs.push(dataDir);
  const s = new NotesService({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, ...init, dataDir });
  services.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('NotesService', () => {
  it('waits for a notebook on a first run, then runs the one it created, and refuses a second first-run request', async () => {
    const s = await service();
    await s.start();
    expect(s.notebook).toBeNull();
    expect(s.status()).toMatchObject({ role: 'none', notebook: null, members: [] });
    expect(() => s.running()).toThrow(/no notebook yet/);
    const first = s.createNotebook('Ours');
    await expect(s.joinNotebook('rn1whatever')).rejects.toMatchObject({ code: 'notebook-exists' });
    await first;
    expect(s.notebook?.name).toBe('Ours');
    await expect(s.createNotebook('Another')).rejects.toMatchObject({ code: 'notebook-exists' });
    await expect(s.running().addNote('first')).resolves.toMatchObject({ committed: true });
  });

  it('closes what it opened when its network cannot listen, so the data directory can be used again', async () => {
    const taken = createServer();
    servers.push(taken);
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    const first = await service({ listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    await first.start();
    await expect(first.createNotebook('Ours')).rejects.toThrow();
    // The storage lock and the outbox were released: another start on the same directory runs the notebook.
    const again = await service({ dataDir: first.dataDir });
    await again.start();
    expect(again.notebook?.name).toBe('Ours');
    await expect(again.running().addNote('after a failed start')).resolves.toMatchObject({ committed: true });
  });
});

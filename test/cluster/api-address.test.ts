// The local API keeps its address across restarts (kept in the data
// directory), so open pages reconnect and bookmarks keep working; --api
// overrides it; a port another program took meanwhile is refused, naming the
// address and the flag.
import { createServer, type Server } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL } from './cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from './peer-process.ts';

const blockers: Server[] = [];

afterEach(async () => {
  await Promise.all(blockers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await killAll();
  await removeDirs();
});

/** block listens on host:port, as another program would. */
async function block(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  blockers.push(server);
}

describe('ApiAddress', () => {
  it('serves at the same address after a restart, kept in the data directory; SIGKILL too', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    const first = await a.start(['--create', 'Kept', ...LOCAL]);
    const { port } = new URL(first.api);
    expect(JSON.parse(await readFile(join(a.dataDir, 'api-address.json'), 'utf8'))).toEqual({ host: '127.0.0.1', port: Number(port) });
    expect(await a.stop()).toBe(0);
    expect((await a.start(LOCAL)).api).toBe(first.api);
    await a.kill();
    expect((await a.start(LOCAL)).api).toBe(first.api);
    expect((await a.api('GET', '/api/status')).body.notebook).toMatchObject({ name: 'Kept' });
  }, 60_000);

  it('refuses a kept port another program took, naming it and --api; --api overrides it and is kept from then on', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    const first = await a.start(['--create', 'Moved', ...LOCAL]);
    const oldPort = Number(new URL(first.api).port);
    await waitFor('A leads', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect(await a.stop()).toBe(0);

    await block(oldPort);
    await expect(a.start(LOCAL)).rejects.toThrow(/exited with 1 before it was ready/);
    const message = a.logs.find((line) => line.includes('taken by another program'));
    expect(message).toBe(`raftnotes: The API address 127.0.0.1:${oldPort}, where this peer served before (kept in ${join(a.dataDir, 'api-address.json')}), `
      + 'is taken by another program. Stop that program to keep the peer\'s address, or pass --api 127.0.0.1:<port> for another port (port 0 picks a free one).');

    const moved = await a.start(['--api', '127.0.0.1:0', ...LOCAL]);
    const newPort = Number(new URL(moved.api).port);
    expect(newPort).not.toBe(oldPort);
    expect((await a.api('GET', '/api/status')).body.notebook).toMatchObject({ name: 'Moved' });
    expect(await a.stop()).toBe(0);
    expect((await a.start(LOCAL)).api).toBe(moved.api);
    expect(await a.stop()).toBe(0);

    // An explicit --api on a taken port says so too.
    await expect(a.start(['--api', `127.0.0.1:${oldPort}`, ...LOCAL])).rejects.toThrow(/exited with 1/);
    expect(a.logs.at(-1)).toBe(`raftnotes: --api 127.0.0.1:${oldPort}: that address is taken by another program. `
      + 'Stop that program, or pass --api 127.0.0.1:<port> for another port (port 0 picks a free one).');
  }, 60_000);
});

// Members' names are durable: a peer restarted while the others are down still
// lists them by name, and its log names peers by name, not by peer id.
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL, startCluster } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

describe('MemberNames', () => {
  it('lists the members by name after a restart with the others down, and logs peers by name', async () => {
    const [a, b, c] = await startCluster();
    const ids = new Map([a!, b!, c!].map((p) => [p.ready!.peerId, p.name]));
    await waitFor('A knows every name', async () => {
      const { body } = await a!.api('GET', '/api/status');
      return body.members.every((m: { id: string; name: string }) => m.name === ids.get(m.id));
    });
    await Promise.all([a!, b!, c!].map((p) => p.kill()));

    a!.logs.length = 0;
    const readyA = await a!.start(LOCAL);
    const { body } = await a!.api('GET', '/api/status');
    expect(body.members.map((m: { id: string; name: string }) => [m.id, m.name]).sort()).toEqual([...ids].sort());

    // Both listen on new ports: B is told where A is.
    await b!.start(['--peer', readyA.addrs[0]!, ...LOCAL]);
    await waitFor('A says it is connected to B, by name', () => a!.logs.some((line) => /A: connected to B$/.test(line)), 20_000)
      .catch((error: Error) => { throw new Error(`${error.message}\n${a!.logs.join('\n')}`); });
    const story = a!.logs.filter((line) => / info raftnotes:peer: /.test(line)).join('\n');
    for (const id of ids.keys()) expect(story).not.toContain(id);
  }, 90_000);
});

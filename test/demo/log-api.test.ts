// GET /api/log on a peer that compacts its log: indices already in the
// snapshot answer from the snapshot point, before and after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL } from '../cluster/cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from '../cluster/peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

describe('LogApi', () => {
  it('answers a compacted index from the snapshot point, before and after a restart', async () => {
    const peer = new PeerProcess(await tempDir(), 'A');
    await peer.start(['--create', 'Log', '--snapshot-every', '10', ...LOCAL]);
    for (let i = 0; i < 25; i++) expect((await peer.api('POST', '/api/notes', { text: `n${i}` })).status).toBe(201);
    const page = await waitFor('a compacted log', async () => {
      const { body } = await peer.api('GET', '/api/log?from=1&limit=1000');
      return body.snapshotIndex > 0 ? body : undefined;
    });
    expect(page.firstIndex).toBe(page.snapshotIndex + 1);
    expect(page.entries[0].index).toBe(page.firstIndex);
    expect(page.entries.at(-1)).toMatchObject({ index: page.lastIndex, kind: 'note', summary: 'add "n24" by A' });
    expect(page.commitIndex).toBe(page.lastIndex);

    expect(await peer.stop()).toBe(0);
    await peer.start(LOCAL);
    const again = await waitFor('the log after a restart', async () => {
      const { body } = await peer.api('GET', '/api/log?from=1&limit=1000');
      return body.lastIndex >= page.lastIndex ? body : undefined;
    });
    expect(again.snapshotIndex).toBeGreaterThanOrEqual(page.snapshotIndex);
    expect(again.entries.find((e: { index: number }) => e.index === page.lastIndex)).toEqual(page.entries.at(-1));
  }, 60_000);
});

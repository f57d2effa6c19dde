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
    // Notes one by one until the log was compacted and holds entries after the snapshot point.
    let page: { snapshotIndex: number; firstIndex: number; lastIndex: number; commitIndex: number; entries: Array<{ index: number }> } | undefined;
    for (let i = 0; i < 100 && page === undefined; i++) {
      expect((await peer.api('POST', '/api/notes', { text: `n${i}` })).status).toBe(201);
      const { body } = await peer.api('GET', '/api/log?from=1&limit=1000');
      if (body.snapshotIndex > 0 && body.entries.length > 0) page = body;
    }
    if (page === undefined) throw new Error('100 notes and the log was never compacted with --snapshot-every 10');
    expect(page.firstIndex).toBe(page.snapshotIndex + 1);
    expect(page.entries[0]!.index).toBe(page.firstIndex);
    expect(page.entries.at(-1)).toMatchObject({ index: page.lastIndex, kind: 'note', summary: expect.stringMatching(/^add "n\d+" by A$/) });
    expect(page.commitIndex).toBe(page.lastIndex);

    expect(await peer.stop()).toBe(0);
    await peer.start(LOCAL);
    const again = await waitFor('the log after a restart, with the new term\'s no-op', async () => {
      const { body } = await peer.api('GET', '/api/log?from=1&limit=1000');
      return body.lastIndex > page.lastIndex ? body : undefined;
    });
    expect(again.snapshotIndex).toBeGreaterThanOrEqual(page.snapshotIndex);
    expect(again.firstIndex).toBe(again.snapshotIndex + 1);
    // The last note is still an entry unless a compaction right after it took it into the snapshot.
    if (page.lastIndex >= again.firstIndex) {
      expect(again.entries.find((e: { index: number }) => e.index === page.lastIndex)).toEqual(page.entries.at(-1));
    }
    // The restarted peer leads a new term, which starts with its no-op.
    expect(again.entries.at(-1)).toMatchObject({ index: again.lastIndex, kind: 'noop' });
  }, 60_000);
});

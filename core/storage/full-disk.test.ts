import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskStorage } from './disk-storage.ts';
import { StorageFullError, StorageWriteError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';
import { batch, entry, plain } from './testing/storage-compliance.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';
import { mountTmpfs, unmount } from './testing/tmpfs.ts';

describe('Full disk', () => {
  it('stops acknowledging with StorageFullError and keeps everything it acknowledged', async (ctx) => {
    const mnt = makeTempDir('raftnotes-tmpfs-');
    const refused = mountTmpfs(mnt, '1m');
    if (refused !== null) {
      removeDir(mnt);
      ctx.skip(`cannot mount a tmpfs here (needs root): ${refused}`);
      return;
    }
    const opened: DiskStorage[] = [];
    try {
      const dir = path.join(mnt, 'raft');
      const s = await DiskStorage.open(dir, { segmentBytes: 128 << 10 });
      opened.push(s);
      const model = new MemoryStorage();
      let failure: unknown = null;
      for (let i = 0; i < 1000 && failure === null; i++) {
        const es = [1, 2, 3, 4].map((k) => entry(i * 4 + k, 1, `${i * 4 + k}`.padEnd(4000, '#')));
        const b = batch({ entries: es, hardState: { term: 1, votedFor: 'p1', commitIndex: i * 4 } });
        try {
          await s.save(b);
          await model.save(b);
        } catch (err) {
          failure = err;
        }
      }
      expect(failure).toBeInstanceOf(StorageFullError);
      expect(failure).toBeInstanceOf(StorageWriteError);
      expect((failure as Error).message).toMatch(/^The disk is full: writing .*wal-.*\.log failed \(ENOSPC\)/);
      expect((failure as Error).message).toContain('Free some space');
      const acknowledged = plain(await model.load());
      expect((await model.load()).entries.length).toBeGreaterThan(100);

      // Poisoned: even a batch that would fit is refused, and nothing is served.
      await expect(s.save(batch({ hardState: { term: 2, votedFor: null, commitIndex: 0 } }))).rejects.toBe(failure);
      await expect(s.load()).rejects.toBe(failure);
      await s.close();

      const warnings: string[] = [];
      const again = await DiskStorage.open(dir, { segmentBytes: 128 << 10, onWarning: (m) => warnings.push(m) });
      opened.push(again);
      expect(plain(await again.load())).toEqual(acknowledged);
      expect(warnings).toEqual([]); // segments are preallocated, so the full disk left no half-written batch
    } finally {
      for (const s of opened) await s.close().catch(() => undefined);
      unmount(mnt);
      fs.rmdirSync(mnt);
    }
  });
});

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiskStorage, type DiskStorageInit } from './disk-storage.ts';
import { StorageLockedError, StorageWriteError } from './errors.ts';
import { listDir, snapshotName } from './storage-dir.ts';
import { batch, entries, entry, plain, snapshot } from './testing/storage-compliance.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

/** recordWritesAndSyncs lists, in order, each fs.writeSync ('write') and fs.fdatasyncSync ('fdatasync') from now on (afterEach restores them). */
function recordWritesAndSyncs(): string[] {
  const events: string[] = [];
  const write = fs.writeSync;
  const sync = fs.fdatasyncSync;
  vi.spyOn(fs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
    events.push('write');
    return (write as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync);
  vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
    events.push('fdatasync');
    sync(fd);
  });
  return events;
}

describe('DiskStorage', () => {
  let root: string;
  let dir: string;
  const opened: DiskStorage[] = [];
  const open = async (init: DiskStorageInit = { segmentBytes: 8192 }) => {
    const s = await DiskStorage.open(dir, init);
    opened.push(s);
    return s;
  };
  const setup = () => {
    root = makeTempDir();
    dir = path.join(root, 'raft');
  };
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    removeDir(root);
  });

  it('makes one fdatasync per batch, after the batch is written and before save resolves', async () => {
    setup();
    const s = await open({ segmentBytes: 1 << 20 });
    const events = recordWritesAndSyncs();
    for (let i = 0; i < 10; i++) {
      events.length = 0;
      const hs = { term: 1, votedFor: 'a', commitIndex: i * 50 };
      await s.save(batch({ entries: entries(i * 50 + 1, i * 50 + 50, 1), hardState: hs }));
      expect(events).toEqual(['write', 'fdatasync']);
    }
  });

  it('writes a batch that only moves the commit index without an fdatasync, and reads it back', async () => {
    setup();
    const s = await open({ segmentBytes: 1 << 20 });
    await s.save(batch({ entries: entries(1, 5, 1), hardState: { term: 1, votedFor: 'a', commitIndex: 2 } }));
    const events = recordWritesAndSyncs();
    await s.save(batch({ hardState: { term: 1, votedFor: 'a', commitIndex: 5 } }));
    expect(events).toEqual(['write']);
    // A new term or vote is synced, as are entries.
    await s.save(batch({ hardState: { term: 2, votedFor: null, commitIndex: 5 } }));
    await s.save(batch({ hardState: { term: 2, votedFor: 'b', commitIndex: 5 } }));
    await s.save(batch({ entries: entries(6, 6, 2) }));
    expect(events).toEqual(['write', 'write', 'fdatasync', 'write', 'fdatasync', 'write', 'fdatasync']);
    vi.restoreAllMocks();
    await s.close();
    opened.length = 0;
    const again = await open({ segmentBytes: 1 << 20 });
    expect((await again.load()).hardState).toEqual({ term: 2, votedFor: 'b', commitIndex: 5 });
  });

  it('starts new segments as the log grows and deletes those a snapshot covers', async () => {
    setup();
    let s = await open();
    const log = entries(1, 400, 1).map((e) => entry(e.index, 1, `${e.index}`.padEnd(100, '.')));
    for (let i = 0; i < 100; i++) await s.save(batch({ entries: log.slice(i * 4, i * 4 + 4) }));
    const grown = listDir(dir).segments.length;
    expect(grown).toBeGreaterThan(5);
    await s.save(batch({ snapshot: snapshot(350, 1, 2000) }));
    const left = listDir(dir).segments;
    expect(left.length).toBeLessThanOrEqual(3);
    expect(left[left.length - 1].seq).toBe(grown);
    await s.save(batch({ snapshot: snapshot(380, 1, 2000) }));
    expect(listDir(dir).snapshots).toEqual([snapshotName(380, 1)]);
    await s.close();
    s = await open();
    expect(plain(await s.load())).toEqual(
      plain({ hardState: { term: 0, votedFor: null, commitIndex: 0 }, entries: log.slice(380), snapshot: snapshot(380, 1, 2000) }),
    );
  });

  it('stores a batch larger than a segment', async () => {
    setup();
    let s = await open({ segmentBytes: 4096 });
    const big = entries(1, 10, 1).map((e) => ({ ...e, data: new Uint8Array(2000).fill(e.index) }));
    await s.save(batch({ entries: big }));
    await s.save(batch({ entries: entries(11, 12, 1) }));
    await s.close();
    s = await open({ segmentBytes: 4096 });
    expect(plain(await s.load())).toEqual(
      plain({ hardState: { term: 0, votedFor: null, commitIndex: 0 }, entries: [...big, ...entries(11, 12, 1)] }),
    );
  });

  it('keeps a snapshot whose batch starts a new segment', async () => {
    setup();
    let s = await open({ segmentBytes: 4096 });
    const big = entries(1, 5, 1).map((e) => ({ ...e, data: new Uint8Array(1000) }));
    await s.save(batch({ entries: big }));
    const snap = snapshot(5, 2, 3000); // does not match the log: replaces it
    await s.save(batch({ snapshot: snap, hardState: { term: 2, votedFor: null, commitIndex: 5 } }));
    await s.close();
    s = await open({ segmentBytes: 4096 });
    expect(plain(await s.load())).toEqual(plain({ hardState: { term: 2, votedFor: null, commitIndex: 5 }, entries: [], snapshot: snap }));
  });

  it('refuses a second open of a directory that is open', async () => {
    setup();
    await open();
    await expect(DiskStorage.open(dir)).rejects.toThrow(StorageLockedError);
    const child = spawn('sleep', ['30']);
    try {
      const other = path.join(root, 'other');
      fs.mkdirSync(other);
      fs.writeFileSync(path.join(other, 'LOCK'), `${child.pid}\n`);
      const err = await DiskStorage.open(other).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageLockedError);
      expect((err as Error).message).toContain(`in use by process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over the LOCK left by a process that is gone', async () => {
    setup();
    const s = await open();
    await s.save(batch({ entries: entries(1, 3, 1) }));
    await s.close();
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    fs.writeFileSync(path.join(dir, 'LOCK'), `${gone}\n`);
    const again = await open();
    expect((await again.load()).entries).toHaveLength(3);
  });

  it('refuses every call after a failed write, and reopens to what it acknowledged', async () => {
    setup();
    let s = await open();
    await s.save(batch({ entries: entries(1, 5, 1), hardState: { term: 1, votedFor: 'a', commitIndex: 5 } }));
    const acknowledged = plain(await s.load());
    const blocker = path.join(dir, `${snapshotName(5, 1)}.tmp`);
    fs.mkdirSync(blocker); // opening the snapshot's temp file for writing now fails
    const err = await s.save(batch({ snapshot: snapshot(5, 1), entries: entries(6, 6, 1) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageWriteError);
    expect((err as Error).name).toBe('StorageWriteError');
    expect((err as Error).message).toContain(snapshotName(5, 1));
    await expect(s.save(batch({ entries: entries(6, 6, 1) }))).rejects.toBe(err);
    await expect(s.load()).rejects.toBe(err);
    await s.close();
    s = await open();
    expect(plain(await s.load())).toEqual(acknowledged);
    expect(fs.existsSync(blocker)).toBe(false);
  });

  it('refuses every call after fdatasync fails with EIO, naming the segment', async () => {
    setup();
    const s = await open();
    await s.save(batch({ entries: entries(1, 5, 1), hardState: { term: 1, votedFor: 'a', commitIndex: 5 } }));
    const sync = fs.fdatasyncSync;
    vi.spyOn(fs, 'fdatasyncSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', syscall: 'fdatasync' });
    }).mockImplementation(sync);
    const err = await s.save(batch({ entries: entries(6, 6, 1) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageWriteError);
    expect((err as Error).message).toBe(
      `Writing ${path.join(dir, listDir(dir).segments[0]!.name)} failed (EIO). Nothing after the last saved entry was acknowledged. ` +
        'Check the disk, then restart the peer.',
    );
    // Poisoned: the page cache may say the batch is there, the disk may not; nothing more is saved or served.
    await expect(s.save(batch({ entries: entries(6, 6, 1) }))).rejects.toBe(err);
    await expect(s.save(batch({ hardState: { term: 2, votedFor: null, commitIndex: 5 } }))).rejects.toBe(err);
    await expect(s.load()).rejects.toBe(err);
  });
});

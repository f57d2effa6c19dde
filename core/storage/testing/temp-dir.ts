// Temporary directories for storage tests, removed even when a test fails.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskStorage, type DiskStorageInit } from '../disk-storage.ts';
import { MemoryStorage } from '../memory-storage.ts';
import type { RaftStorage } from '../storage.ts';
import type { StorageHarness } from './storage-compliance.ts';

/** makeTempDir creates an empty directory under the system's temp directory. */
export function makeTempDir(prefix = 'raftnotes-storage-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** removeDir deletes a directory tree, ignoring one that is already gone. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** diskHarness opens DiskStorages in a temp dir (small segments, so tests cross segment boundaries). */
export function diskHarness(init: DiskStorageInit = { segmentBytes: 64 << 10 }): StorageHarness & { dir: string } {
  const dir = path.join(makeTempDir(), 'raft');
  const opened: RaftStorage[] = [];
  const open = async () => {
    const s = await DiskStorage.open(dir, init);
    opened.push(s);
    return s;
  };
  return {
    dir,
    open,
    async reopen(storage) {
      await storage.close();
      return open();
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      removeDir(path.dirname(dir));
    },
  };
}

/** memoryHarness makes MemoryStorages; a reopen starts a new one from what the old one held. */
export function memoryHarness(): StorageHarness {
  return {
    async open() {
      return new MemoryStorage();
    },
    async reopen(storage) {
      return (storage as MemoryStorage).restart();
    },
    async cleanup() {},
  };
}

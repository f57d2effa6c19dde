// FaultyStorage wraps a RaftStorage and makes its saves fail as a failing
// disk does in DiskStorage: the fdatasync of a save throws (EIO by default),
// the save rejects with the StorageWriteError DiskStorage throws then, and the
// storage is poisoned: every later save and load throws the same error.

import { writeFailure, type StorageWriteError } from '../errors.ts';
import type { RaftStorage, StorageBatch, StorageState } from '../storage.ts';

/** FaultyStorage is `inner` with saves that fail on demand (failSaves). */
export class FaultyStorage implements RaftStorage {
  readonly inner: RaftStorage;
  /** The file named in the error, as DiskStorage names the segment it was writing. */
  private readonly file: string;
  /** The errno code the next save's fdatasync fails with, or null while saves succeed. */
  private failWith: string | null = null;
  /** Set by the first failed save; every later call throws it. */
  private failure: StorageWriteError | null = null;
  /** Saves that reached the inner storage. */
  saves = 0;

  constructor(inner: RaftStorage, file = '/data/raft/wal-0000000000000001.log') {
    this.inner = inner;
    this.file = file;
  }

  /** failSaves makes the next save that persists something fail with `code` (e.g. EIO), as its fdatasync would. */
  failSaves(code = 'EIO'): void {
    this.failWith = code;
  }

  async load(): Promise<StorageState> {
    if (this.failure !== null) throw this.failure;
    return this.inner.load();
  }

  async save(batch: StorageBatch): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const empty = batch.hardState === null && batch.snapshot === null && batch.entries.length === 0;
    if (this.failWith !== null && !empty) {
      const cause = Object.assign(new Error(`${this.failWith}: i/o error, fdatasync`), { code: this.failWith, syscall: 'fdatasync' });
      this.failure = writeFailure(this.file, cause);
      throw this.failure;
    }
    await this.inner.save(batch);
    this.saves++;
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

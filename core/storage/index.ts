// Durable storage for a Raft peer: the write-ahead log, hard state and
// snapshots. The on-disk format is described in ./wal-format.ts, the choice of
// mechanism and its measurements in ./disk-storage.ts.
//
// In tests: `await DiskStorage.open(tempDir, { segmentBytes: 1 << 20 })` is a
// real storage (small segments keep it cheap); close() and open() again is a
// crash and restart, since every resolved save is already durable.
// MemoryStorage follows the same rules; `storage.restart()` is its crash and restart.

export type { RaftStorage, StorageBatch, StorageState } from './storage.ts';
export { EMPTY_HARD_STATE } from './storage.ts';
export { DiskStorage, type DiskStorageInit } from './disk-storage.ts';
export { MemoryStorage } from './memory-storage.ts';
export {
  StorageClosedError,
  StorageCorruptError,
  StorageFullError,
  StorageLockedError,
  StorageReadError,
  StorageWriteError,
} from './errors.ts';
export { writeFileDurably, type DurableWriteOptions } from './durable-file.ts';

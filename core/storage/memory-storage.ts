// MemoryStorage is the in-memory RaftStorage for tests and simulations: the
// same rules as DiskStorage (one compliance suite runs against both), nothing
// written anywhere.

import type { Snapshot } from '../raft/types.ts';
import { StorageClosedError } from './errors.ts';
import { LogState } from './log-state.ts';
import type { RaftStorage, StorageBatch, StorageState } from './storage.ts';

/** MemoryStorage keeps the durable state in memory; pass a loaded state to the constructor to "restart" from it. */
export class MemoryStorage implements RaftStorage {
  private readonly state = new LogState<Snapshot>();
  private closed = false;

  constructor(initial?: StorageState) {
    if (initial === undefined) return;
    const batch = { hardState: initial.hardState, snapshot: initial.snapshot ?? null, entries: initial.entries };
    const problem = this.state.check(batch);
    if (problem !== null) throw new RangeError(`MemoryStorage: invalid initial state: ${problem}`);
    this.state.apply(batch);
  }

  async load(): Promise<StorageState> {
    if (this.closed) throw new StorageClosedError('MemoryStorage.load: the storage is closed');
    const { hardState, entries, snapshot } = this.state;
    const result: StorageState = { hardState: { ...hardState }, entries: entries.slice() };
    if (snapshot !== null) result.snapshot = snapshot;
    return result;
  }

  async save(batch: StorageBatch): Promise<void> {
    if (this.closed) throw new StorageClosedError('MemoryStorage.save: the storage is closed');
    const problem = this.state.check(batch);
    if (problem !== null) throw new RangeError(`MemoryStorage.save: invalid batch: ${problem}`);
    // Copies, as DiskStorage's bytes on disk share nothing with the caller's objects either.
    this.state.apply({
      hardState: batch.hardState,
      snapshot: batch.snapshot === null ? null : { ...batch.snapshot, membership: structuredClone(batch.snapshot.membership), data: batch.snapshot.data.slice() },
      entries: batch.entries.map((e) => ({ index: e.index, term: e.term, kind: e.kind, data: e.data.slice() })),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** restart closes this storage and returns a new one holding what it persisted, as a peer sees it after a crash and restart. */
  restart(): MemoryStorage {
    this.closed = true;
    const { hardState, entries, snapshot } = this.state;
    return new MemoryStorage({ hardState, entries: entries.slice(), ...(snapshot === null ? {} : { snapshot }) });
  }
}

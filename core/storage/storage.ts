// The seam between the Raft driver and durable storage (hashicorp/raft's
// LogStore + StableStore + SnapshotStore, folded into one batch-at-a-time API so
// one Ready costs one fsync).

import type { Entry, HardState, Ready, Snapshot } from '../raft/types.ts';

/** StorageBatch is what one Ready asks to persist; a Ready itself is a valid StorageBatch. */
export type StorageBatch = Pick<Ready, 'hardState' | 'entries' | 'snapshot'>;

/** StorageState is what storage holds, in the shape of RaftOptions.restore. */
export interface StorageState {
  hardState: HardState;
  /** The entries after the snapshot, in index order without gaps. */
  entries: Entry[];
  snapshot?: Snapshot;
}

/** EMPTY_HARD_STATE is the hard state of a peer that has never voted nor seen a term. */
export const EMPTY_HARD_STATE: Readonly<HardState> = Object.freeze({ term: 0, votedFor: null, commitIndex: 0 });

/**
 * RaftStorage keeps a peer's Raft log, hard state and newest snapshot.
 *
 * Rules every implementation follows (the compliance suite checks them):
 * - `save` applies a batch as one unit: the snapshot first, then the entries,
 *   then the hard state; it resolves only once all of it is durable, and a
 *   crash leaves either all of the batch or none of it. One exception (etcd's
 *   MustSync): a batch that only moves the commit index may resolve once
 *   written, before it is synced; a power cut may then lose it (the commit
 *   index is learned again from the leader), a crash of the process may not.
 * - An entry at an index the log already holds replaces it and everything after it.
 * - A snapshot drops every entry up to its index; when the log did not hold the
 *   entry at `snapshot.index` with `snapshot.term`, it drops the whole log.
 * - A batch that breaks the log's shape (a gap, an entry at or below the
 *   snapshot, an older snapshot) throws a RangeError and changes nothing.
 * - After a failed write every later `save` and `load` throws (the storage is
 *   poisoned), so nothing that was not persisted is ever acknowledged or served.
 */
export interface RaftStorage {
  /** load returns the durable state; a new storage returns EMPTY_HARD_STATE and no entries. */
  load(): Promise<StorageState>;
  /** save persists one batch durably; calls are applied in the order they are made. */
  save(batch: StorageBatch): Promise<void>;
  /** close releases the storage; it persists nothing new, since every resolved save is already durable. */
  close(): Promise<void>;
}

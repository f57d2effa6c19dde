// LogState is the in-memory model of what storage holds: the rules of
// RaftStorage.save in one place, shared by MemoryStorage (as its whole state)
// and DiskStorage (to replay the write-ahead log and to check batches).

import type { Entry, HardState } from '../raft/types.ts';
import { EMPTY_HARD_STATE } from './storage.ts';

/** SnapshotPosition is the part of a snapshot the log's shape depends on. */
export interface SnapshotPosition {
  index: number;
  term: number;
}

/** LogBatch is one batch to apply: a StorageBatch whose snapshot is of the caller's own type. */
export interface LogBatch<S extends SnapshotPosition> {
  hardState: HardState | null;
  snapshot: S | null;
  entries: Entry[];
}

/** LogState holds a hard state, the newest snapshot and the entries after it. */
export class LogState<S extends SnapshotPosition> {
  hardState: HardState = { ...EMPTY_HARD_STATE };
  snapshot: S | null = null;
  /** Invariant: entries[i].index === base + 1 + i, and base >= snapshot index. */
  entries: Entry[] = [];
  base = 0;
  /**
   * Entries in (snapshot index, missingUpTo] exist but are held in log segments
   * that were not read (DiskStorage replays from the oldest segment it has);
   * 0 when there are none. Invariant: missingUpTo <= base.
   */
  missingUpTo = 0;

  /** snapshotIndex is the index the snapshot stands in for, 0 without one. */
  get snapshotIndex(): number {
    return this.snapshot?.index ?? 0;
  }

  /** lastIndex is the index of the newest entry (or of the snapshot when there is none after it). */
  get lastIndex(): number {
    return this.base + this.entries.length;
  }

  /** termAt returns the term of the entry at `index`: null when the log does not hold it, undefined when it is in an unread segment. */
  termAt(index: number): number | null | undefined {
    if (index === 0) return 0;
    if (this.snapshot !== null && index === this.snapshot.index) return this.snapshot.term;
    if (index > this.base && index <= this.lastIndex) return this.entries[index - this.base - 1].term;
    if (index > this.snapshotIndex && index <= this.missingUpTo) return undefined;
    return null;
  }

  /** check returns why `batch` cannot be applied to this log, or null when it can. */
  check(batch: LogBatch<SnapshotPosition>): string | null {
    let snapshotIndex = this.snapshotIndex;
    let lastIndex = this.lastIndex;
    if (batch.snapshot !== null) {
      const s = batch.snapshot;
      if (!Number.isSafeInteger(s.index) || s.index < 0) return `snapshot index ${s.index} is not a valid index`;
      if (s.index < snapshotIndex) return `snapshot at ${s.index} is older than the snapshot at ${snapshotIndex}`;
      const term = this.termAt(s.index);
      snapshotIndex = s.index;
      if (term !== s.term && term !== undefined) lastIndex = s.index;
    }
    const entries = batch.entries;
    if (entries.length > 0) {
      const first = entries[0].index;
      if (!Number.isSafeInteger(first) || first <= snapshotIndex) {
        return `entry ${first} is at or below the snapshot at ${snapshotIndex}`;
      }
      if (first > lastIndex + 1) return `entry ${first} leaves a gap after the last index ${lastIndex}`;
      for (let i = 1; i < entries.length; i++) {
        if (entries[i].index !== first + i) {
          return `entries are not contiguous: ${entries[i].index} follows ${entries[i - 1].index}`;
        }
      }
      lastIndex = entries[entries.length - 1].index;
    }
    // Raft never commits an entry it does not hold, so this would be a lost entry (or a bug upstream).
    const commitIndex = (batch.hardState ?? this.hardState).commitIndex;
    if (commitIndex > lastIndex) return `commit index ${commitIndex} is beyond the last index ${lastIndex}`;
    return null;
  }

  /** apply applies a batch that check() accepted: the snapshot, then the entries, then the hard state. */
  apply(batch: LogBatch<S>): void {
    if (batch.snapshot !== null) this.applySnapshot(batch.snapshot);
    const entries = batch.entries;
    if (entries.length > 0) {
      const first = entries[0].index;
      if (first <= this.lastIndex) this.truncate(first - 1);
      for (const e of entries) this.entries.push(e);
    }
    if (batch.hardState !== null) {
      const { term, votedFor, commitIndex } = batch.hardState;
      this.hardState = { term, votedFor, commitIndex };
    }
  }

  private applySnapshot(s: S): void {
    const term = this.termAt(s.index);
    if (term === s.term || term === undefined) {
      // Raft §7 (Figure 13): the log holds the snapshot's last entry, so the entries after it stay.
      if (s.index > this.base) {
        this.entries.splice(0, s.index - this.base);
        this.base = s.index;
      }
    } else {
      this.entries = [];
      this.base = s.index;
    }
    if (this.missingUpTo <= s.index) this.missingUpTo = 0;
    this.snapshot = s;
  }

  /** truncate drops every entry after `index`. */
  private truncate(index: number): void {
    if (index >= this.base) {
      this.entries.length = index - this.base;
    } else {
      this.entries = [];
      this.base = index;
      this.missingUpTo = Math.min(this.missingUpTo, index);
    }
  }
}

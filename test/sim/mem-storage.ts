// The in-memory stand-in for a node's durable storage: hard state, log entries
// and the latest snapshot. It is all that survives a simulated crash, and it
// follows the Ready contract to the letter, throwing when a Ready asks for
// something the contract rules out (a gap in the log, say).

import type { Entry, HardState, Snapshot } from '../../core/raft/index.ts';

/** StorageFault is a Ready that the storage cannot apply as the contract describes. */
export class StorageFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageFault';
  }
}

/** copyEntry copies an entry so storage shares nothing with the core. */
export function copyEntry(e: Entry): Entry {
  return { index: e.index, term: e.term, kind: e.kind, data: e.data.slice() };
}

/** copySnapshot copies a snapshot so storage shares nothing with the core. */
export function copySnapshot(s: Snapshot): Snapshot {
  return {
    index: s.index,
    term: s.term,
    membership: { voters: [...s.membership.voters], learners: [...s.membership.learners] },
    data: s.data.slice(),
  };
}

/** MemoryStorage is one node's persisted state. */
export class MemoryStorage {
  hardState: HardState = { term: 0, votedFor: null, commitIndex: 0 };
  snapshot: Snapshot | null = null;
  /** Invariant: entries[k].index === entries[0].index + k, and entries[0].index === snapshotIndex() + 1 when not empty. */
  entries: Entry[] = [];

  /** snapshotIndex is the last index the snapshot stands in for (0 without one). */
  snapshotIndex(): number {
    return this.snapshot?.index ?? 0;
  }

  /** firstIndex is the index of the first entry held (lastIndex() + 1 when the log is empty). */
  firstIndex(): number {
    return this.snapshotIndex() + 1;
  }

  /** lastIndex is the index of the last entry, or of the snapshot when the log is empty. */
  lastIndex(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.index : this.snapshotIndex();
  }

  /** entry returns the entry at `index` when the log holds it. */
  entry(index: number): Entry | undefined {
    const k = index - this.firstIndex();
    return k >= 0 && k < this.entries.length ? this.entries[k] : undefined;
  }

  /** term returns the term at `index` when known: 0 for index 0, the snapshot's term at its index. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    if (this.snapshot !== null && index === this.snapshot.index) return this.snapshot.term;
    return this.entry(index)?.term;
  }

  /** setHardState records a new hard state. */
  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, votedFor: hs.votedFor, commitIndex: hs.commitIndex };
  }

  /**
   * applySnapshot records a snapshot and drops the entries it stands in for: those
   * up to its index, or all of them when the log does not hold (index, term).
   */
  applySnapshot(s: Snapshot): void {
    if (s.index < this.snapshotIndex()) {
      throw new StorageFault(`Ready.snapshot at index ${s.index} is older than the stored one at ${this.snapshotIndex()}`);
    }
    const held = this.term(s.index) === s.term;
    this.entries = held ? this.entries.filter((e) => e.index > s.index) : [];
    this.snapshot = copySnapshot(s);
  }

  /**
   * append writes entries; one at an existing index replaces it and every entry
   * after it. It returns the entries it removed (for the invariant checks).
   */
  append(entries: Entry[]): Entry[] {
    if (entries.length === 0) return [];
    const first = entries[0]!.index;
    entries.forEach((e, k) => {
      if (e.index !== first + k) {
        throw new StorageFault(`Ready.entries are not consecutive: index ${e.index} at position ${k} after ${first}`);
      }
    });
    if (first <= this.snapshotIndex()) {
      throw new StorageFault(`Ready.entries start at ${first}, inside the snapshot (index ${this.snapshotIndex()})`);
    }
    if (first > this.lastIndex() + 1) {
      throw new StorageFault(`Ready.entries start at ${first}, leaving a gap after the last stored index ${this.lastIndex()}`);
    }
    const keep = first - this.firstIndex();
    const removed = this.entries.slice(keep);
    this.entries = this.entries.slice(0, keep);
    for (const e of entries) this.entries.push(copyEntry(e));
    return removed;
  }

  /** reset replaces what is held with copies of `state`: what a restart read back from durable storage. */
  reset(state: { hardState: HardState; entries: Entry[]; snapshot?: Snapshot }): void {
    this.snapshot = state.snapshot === undefined ? null : copySnapshot(state.snapshot);
    this.entries = [];
    this.append(state.entries);
    this.setHardState(state.hardState);
  }

  /** restore is what a restarting node reads back: copies, so the new node shares nothing with storage. */
  restore(): { hardState: HardState; entries: Entry[]; snapshot?: Snapshot } {
    const out: { hardState: HardState; entries: Entry[]; snapshot?: Snapshot } = {
      hardState: { ...this.hardState },
      entries: this.entries.map(copyEntry),
    };
    if (this.snapshot !== null) out.snapshot = copySnapshot(this.snapshot);
    return out;
  }
}

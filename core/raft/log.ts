// RaftLog is one node's log as the core sees it: the latest snapshot, the
// entries after it, the commit and apply points, the boundary between what
// storage already holds and what a Ready must still hand it, and the
// membership each config entry installs.
import { invariant } from './errors.ts';
import { decodeMembership } from './membership.ts';
import type { Entry, Membership, Snapshot } from './types.ts';

/** UNKNOWN_TERM is the term of an index the log does not hold (compacted or beyond the end). */
export const UNKNOWN_TERM = -1;

interface ConfigPoint { index: number; membership: Membership }

/** RaftLog holds a snapshot followed by contiguous entries. */
export class RaftLog {
  /** The index and term the entries follow (0, 0 for a log that was never compacted). */
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** The newest snapshot, kept to send to followers that are too far behind. */
  snapshot: Snapshot | null = null;
  /** A snapshot storage does not hold yet. */
  pendingSnapshot: Snapshot | null = null;
  /** Invariant: entries[i].index === snapshotIndex + 1 + i. */
  private entries: Entry[] = [];
  /** Invariant: snapshotIndex <= applied <= committed <= lastIndex(). */
  committed = 0;
  applied = 0;
  /** The first index storage does not hold yet. Invariant: snapshotIndex < unstable <= lastIndex() + 1. */
  private unstable = 1;
  /** The membership as of snapshotIndex, and each config entry after it, in index order. */
  private baseMembership: Membership;
  private configs: ConfigPoint[] = [];

  constructor(membership: Membership) {
    this.baseMembership = membership;
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /** term is the term of the entry at `index`, or UNKNOWN_TERM. Index 0 is the empty log (term 0). */
  term(index: number): number {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index > this.snapshotIndex && index <= this.lastIndex()) {
      return this.entries[index - this.snapshotIndex - 1]!.term;
    }
    return index === 0 ? 0 : UNKNOWN_TERM;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** isUpToDate says whether a log ending at (lastIndex, lastTerm) is at least as up to date (Raft §5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** slice is the entries from `lo` on, at most `maxCount` of them and `maxBytes` of data (at least one). */
  slice(lo: number, maxCount: number, maxBytes: number): Entry[] {
    const start = lo - this.snapshotIndex - 1;
    invariant(start >= 0, () => `slice(${lo}): compacted up to ${this.snapshotIndex}`);
    const end = Math.min(this.entries.length, start + maxCount);
    let bytes = 0;
    let i = start;
    while (i < end) {
      bytes += this.entries[i]!.data.byteLength;
      if (bytes > maxBytes && i > start) break;
      i++;
    }
    return this.entries.slice(start, i);
  }

  /** append adds entries at the end (the leader's own proposals). */
  append(entries: Entry[]): void {
    invariant(entries.length > 0 && entries[0]!.index === this.lastIndex() + 1,
      () => `append: entry ${entries[0]?.index} does not follow ${this.lastIndex()}`);
    for (const e of entries) this.push(e);
  }

  /**
   * maybeAppend adds a leader's entries after (prevIndex, prevTerm) when the log
   * holds that entry, and returns the index of the last entry the leader sent, or
   * -1 when the log does not hold it. A conflicting entry and all after it are
   * replaced (Raft §5.3); entries the log already holds are kept.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: Entry[]): number {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    const lastNew = prevIndex + entries.length;
    const last = this.lastIndex();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.index > last || this.term(e.index) !== e.term) {
        if (e.index <= last) this.truncateFrom(e.index);
        for (let j = i; j < entries.length; j++) this.push(entries[j]!);
        break;
      }
    }
    return lastNew;
  }

  /**
   * findConflictByTerm is the largest index <= `index` whose term is <= `term`:
   * where a leader whose entry at `index` has `term` should retry (etcd/raft).
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.snapshotIndex && this.term(i) > term) i--;
    return i;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    invariant(index <= this.lastIndex(), () => `commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** hasUnstable says whether some entries still have to reach storage. */
  hasUnstable(): boolean {
    return this.unstable <= this.lastIndex();
  }

  unstableEntries(): Entry[] {
    return this.hasUnstable() ? this.entries.slice(this.unstable - this.snapshotIndex - 1) : [];
  }

  /** stableTo records that storage holds the log up to (index, term); ignored when that entry was replaced since. */
  stableTo(index: number, term: number): void {
    if (index >= this.unstable && this.matchTerm(index, term)) this.unstable = index + 1;
  }

  hasNextCommitted(): boolean {
    return this.committed > this.applied;
  }

  /** nextCommitted is the committed entries not yet applied, in index order. */
  nextCommitted(): Entry[] {
    if (!this.hasNextCommitted()) return [];
    const start = this.applied - this.snapshotIndex;
    return this.entries.slice(start, this.committed - this.snapshotIndex);
  }

  appliedTo(index: number): void {
    invariant(index <= this.committed, () => `applied ${index} is beyond the commit index ${this.committed}`);
    if (index > this.applied) this.applied = index;
  }

  /** snapshotPersisted records that storage holds `snapshot`. */
  snapshotPersisted(snapshot: Snapshot): void {
    if (this.pendingSnapshot !== null && this.pendingSnapshot.index === snapshot.index) this.pendingSnapshot = null;
  }

  /** compact replaces the entries up to `index` with the state machine's image `data`. */
  compact(index: number, data: Uint8Array): Snapshot {
    invariant(index > this.snapshotIndex && index <= this.applied,
      () => `compact(${index}): only applied entries after ${this.snapshotIndex} can be compacted (applied ${this.applied})`);
    const snapshot: Snapshot = { index, term: this.term(index), membership: this.membershipAt(index), data };
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.baseMembership = snapshot.membership;
    this.configs = this.configs.filter((c) => c.index > index);
    this.snapshotIndex = index;
    this.snapshotTerm = snapshot.term;
    if (this.unstable <= index) this.unstable = index + 1;
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    return snapshot;
  }

  /**
   * installSnapshot takes a leader's snapshot, newer than the commit index. When
   * the log holds the snapshot's last entry, the entries after it are kept (Raft
   * Figure 13); otherwise the snapshot replaces the whole log.
   */
  installSnapshot(snapshot: Snapshot): void {
    invariant(snapshot.index > this.committed, () => `snapshot ${snapshot.index} is not newer than the commit index ${this.committed}`);
    const kept = this.matchTerm(snapshot.index, snapshot.term) ? this.entries.slice(snapshot.index - this.snapshotIndex) : [];
    const unstable = this.unstable;
    this.restore(snapshot, false);
    for (const e of kept) this.push(e);
    if (kept.length > 0) this.unstable = Math.max(unstable, snapshot.index + 1);
  }

  /**
   * restore replaces the whole log with `snapshot`. With `persisted` false the
   * snapshot is handed to storage in the next Ready.
   */
  restore(snapshot: Snapshot, persisted: boolean): void {
    this.entries = [];
    this.snapshotIndex = snapshot.index;
    this.snapshotTerm = snapshot.term;
    this.snapshot = snapshot;
    this.pendingSnapshot = persisted ? null : snapshot;
    this.committed = snapshot.index;
    this.applied = snapshot.index;
    this.unstable = snapshot.index + 1;
    this.baseMembership = snapshot.membership;
    this.configs = [];
  }

  /** load puts back entries storage already holds, right after the snapshot. */
  load(entries: Entry[]): void {
    for (const e of entries) {
      if (e.index <= this.snapshotIndex) continue;
      invariant(e.index === this.lastIndex() + 1,
        () => `restore: entry ${e.index} does not follow ${this.lastIndex()}; the stored log has a gap`);
      this.push(e);
    }
    this.unstable = this.lastIndex() + 1;
  }

  /** membership is the latest membership in the log, committed or not. */
  membership(): Membership {
    return this.configs.length > 0 ? this.configs[this.configs.length - 1]!.membership : this.baseMembership;
  }

  /** membershipAt is the membership in force after the entry at `index`. */
  membershipAt(index: number): Membership {
    for (let i = this.configs.length - 1; i >= 0; i--) {
      if (this.configs[i]!.index <= index) return this.configs[i]!.membership;
    }
    return this.baseMembership;
  }

  /** lastConfigIndex is the index of the latest config entry held, or 0. */
  lastConfigIndex(): number {
    return this.configs.length > 0 ? this.configs[this.configs.length - 1]!.index : 0;
  }

  private push(e: Entry): void {
    this.entries.push(e);
    if (e.kind === 'config') this.configs.push({ index: e.index, membership: decodeMembership(e.data) });
  }

  private truncateFrom(index: number): void {
    invariant(index > this.committed, () => `entry ${index} conflicts with the committed log (commit ${this.committed})`);
    this.entries.length = index - this.snapshotIndex - 1;
    while (this.configs.length > 0 && this.configs[this.configs.length - 1]!.index >= index) this.configs.pop();
    if (this.unstable > index) this.unstable = index;
  }
}

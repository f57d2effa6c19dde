// workloadBatch generates a reproducible stream of batches shaped like what a
// Raft peer persists: appends of varied size, commits, votes, overwrites of the
// uncommitted tail, snapshots of the committed prefix and snapshots from a
// leader that replace the log. The crash test runs it in a child process and
// replays it in the parent as the model.

import type { Entry, Snapshot } from '../../raft/types.ts';
import type { LogState } from '../log-state.ts';
import type { StorageBatch } from '../storage.ts';
import { Rng } from '../../testing/rng.ts';

/** mulberry32 returns a seeded generator of numbers in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => new Rng(seed).float;

/** payload returns `bytes` bytes that depend on the entry's index and term. */
export function payload(index: number, term: number, bytes: number): Uint8Array {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (index * 131 + term * 17 + i) & 0xff;
  return data;
}

/** workloadBatch returns batch number `k` of the stream `seed`, for a log now in `state`. */
export function workloadBatch(seed: number, k: number, state: LogState<Snapshot>): StorageBatch {
  const r = mulberry32(seed * 1_000_003 + k);
  const int = (n: number) => Math.floor(r() * n);
  const hs = state.hardState;
  const term = Math.max(hs.term, 1);
  const last = state.lastIndex;
  const snapIndex = state.snapshotIndex;
  const x = r();
  const snap = (index: number, t: number, bytes: number): Snapshot => ({
    index,
    term: t,
    membership: { voters: ['p1', 'p2', 'p3'], learners: [] },
    data: payload(index, t, bytes),
  });
  if (x < 0.03 && hs.commitIndex > snapIndex) {
    const index = snapIndex + 1 + int(hs.commitIndex - snapIndex);
    return { hardState: null, entries: [], snapshot: snap(index, state.termAt(index) as number, int(100_000)) };
  }
  if (x < 0.04) {
    const index = last + 1 + int(5);
    return { hardState: { term: term + 1, votedFor: 'p2', commitIndex: index }, entries: [], snapshot: snap(index, term + 1, 1000 + int(5000)) };
  }
  const entries: Entry[] = [];
  let first = last + 1;
  let newTerm = term;
  if (x < 0.12 && last > hs.commitIndex) {
    first = hs.commitIndex + 1 + int(last - hs.commitIndex);
    newTerm = term + 1;
  } else if (x < 0.15) {
    return { hardState: { term: term + 1, votedFor: r() < 0.5 ? null : `p${int(5)}`, commitIndex: hs.commitIndex }, entries: [], snapshot: null };
  }
  const count = 1 + int(r() < 0.1 ? 200 : 20);
  for (let i = 0; i < count; i++) {
    const bytes = r() < 0.01 ? 2000 + int(6000) : int(300);
    entries.push({ index: first + i, term: newTerm, kind: i === 0 && newTerm !== term ? 'noop' : 'command', data: payload(first + i, newTerm, bytes) });
  }
  const newLast = first + count - 1;
  const commitIndex = hs.commitIndex + int(newLast - hs.commitIndex + 1);
  return { hardState: { term: newTerm, votedFor: hs.votedFor, commitIndex }, entries, snapshot: null };
}

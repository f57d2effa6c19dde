// Encoding of frames for /raftnotes/raft/1, following raft-wire.proto: every
// non-optional field is written, zeros included; `from` and `to` are left out.
import { writer as createWriter } from 'protons-runtime';
import type { Writer } from 'protons-runtime';
import type { Entry, Snapshot } from '../raft/types.ts';
import { FrameTooLargeError, InvalidFrameError } from './errors.ts';
import { MAX_FRAME_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';

const LEN = 2;
const VARINT = 0;

/** ENTRY_KIND maps an entry kind to its EntryKind value on the wire. */
export const ENTRY_KIND = { command: 1, config: 2, noop: 3 } as const;

function key(w: Writer, field: number, wire: number): void {
  w.uint32((field << 3) | wire);
}

function uint(w: Writer, field: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidFrameError(`cannot encode ${value} as an unsigned integer`);
  }
  key(w, field, VARINT);
  w.uint64Number(value);
}

function bool(w: Writer, field: number, value: boolean): void {
  key(w, field, VARINT);
  w.bool(value);
}

function bytes(w: Writer, field: number, value: Uint8Array): void {
  key(w, field, LEN);
  w.bytes(value);
}

function string(w: Writer, field: number, value: string): void {
  key(w, field, LEN);
  w.string(value);
}

function entries(w: Writer, prevLogIndex: number, list: Entry[]): void {
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.index !== prevLogIndex + 1 + i) {
      throw new InvalidFrameError(`entry ${i} has index ${e.index}, expected ${prevLogIndex + 1 + i}`);
    }
    key(w, 5, LEN);
    w.fork();
    uint(w, 1, e.term);
    uint(w, 2, ENTRY_KIND[e.kind]);
    bytes(w, 3, e.data);
    w.ldelim();
  }
}

function snapshot(w: Writer, field: number, s: Snapshot): void {
  key(w, field, LEN);
  w.fork();
  uint(w, 1, s.index);
  uint(w, 2, s.term);
  key(w, 3, LEN);
  w.fork();
  for (const id of s.membership.voters) string(w, 1, id);
  for (const id of s.membership.learners) string(w, 2, id);
  w.ldelim();
  bytes(w, 4, s.data);
  w.ldelim();
}

function body(w: Writer, f: Frame): void {
  switch (f.type) {
    case 'RequestVote':
      uint(w, 1, f.term); uint(w, 2, f.lastLogIndex); uint(w, 3, f.lastLogTerm);
      bool(w, 4, f.preVote); bool(w, 5, f.transfer);
      return;
    case 'RequestVoteResponse':
      uint(w, 1, f.term); bool(w, 2, f.voteGranted); bool(w, 3, f.preVote);
      return;
    case 'AppendEntries':
      uint(w, 1, f.term); uint(w, 2, f.prevLogIndex); uint(w, 3, f.prevLogTerm); uint(w, 4, f.leaderCommit);
      entries(w, f.prevLogIndex, f.entries);
      return;
    case 'AppendEntriesResponse':
      uint(w, 1, f.term); bool(w, 2, f.success); uint(w, 3, f.matchIndex); uint(w, 4, f.hintIndex);
      return;
    case 'InstallSnapshot':
      uint(w, 1, f.term); snapshot(w, 2, f.snapshot);
      return;
    case 'InstallSnapshotResponse':
      uint(w, 1, f.term); uint(w, 2, f.matchIndex);
      return;
    case 'TimeoutNow':
      uint(w, 1, f.term);
      return;
    case 'ForwardProposal':
      string(w, 1, f.requestId); bytes(w, 2, f.data);
      return;
    case 'ForwardProposalResult':
      string(w, 1, f.requestId); bool(w, 2, f.ok);
      if (f.index !== undefined) uint(w, 3, f.index);
      if (f.reason !== undefined) string(w, 4, f.reason);
      if (f.leaderId !== undefined) string(w, 5, f.leaderId);
      return;
    default: {
      const never: never = f;
      throw new InvalidFrameError(`unknown frame type ${(never as { type: string }).type}`);
    }
  }
}

const FIELD: Record<Frame['type'], number> = {
  RequestVote: 1, RequestVoteResponse: 2, AppendEntries: 3, AppendEntriesResponse: 4,
  InstallSnapshot: 5, InstallSnapshotResponse: 6, TimeoutNow: 7, ForwardProposal: 8, ForwardProposalResult: 9,
};

/**
 * encodeFrame encodes a frame as the `Frame` message of raft-wire.proto. It
 * throws FrameTooLargeError when the result is above `maxBytes` (default
 * MAX_FRAME_BYTES) and InvalidFrameError when a field cannot be encoded.
 */
export function encodeFrame(frame: Frame, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  return write(frame, false, maxBytes);
}

/** encodeFramePrefixed encodes a frame as `varint(len) || Frame`, the form it takes on a raft stream. */
export function encodeFramePrefixed(frame: Frame, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  return write(frame, true, maxBytes);
}

function write(frame: Frame, prefixed: boolean, maxBytes: number): Uint8Array {
  const w = createWriter();
  if (prefixed) w.fork();
  key(w, FIELD[frame.type], LEN);
  w.fork();
  body(w, frame);
  w.ldelim();
  if (w.len > maxBytes) throw new FrameTooLargeError(w.len, maxBytes);
  if (prefixed) w.ldelim();
  return w.finish();
}

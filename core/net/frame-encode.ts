// Encoding of frames for /raftnotes/raft/1 with the generated codec
// (pb/raft-wire.ts). Every field is set, zeros included, and the schema
// declares each one `optional`, so each one is written (see raft-wire.proto);
// `from` and `to` are left out.
import { writer as createWriter } from 'protons-runtime';
import type { Entry, Snapshot } from '../raft/types.ts';
import { FrameTooLargeError, InvalidFrameError } from './errors.ts';
import { MAX_FRAME_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import * as pb from './pb/raft-wire.ts';

/** ENTRY_KIND maps an entry kind to its EntryKind on the wire. */
export const ENTRY_KIND = {
  command: 'ENTRY_KIND_COMMAND', config: 'ENTRY_KIND_CONFIG', noop: 'ENTRY_KIND_NOOP',
} as const satisfies Record<Entry['kind'], pb.EntryKind>;

function uint(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidFrameError(`cannot encode ${value} as an unsigned integer`);
  }
  return value;
}

function entries(prevLogIndex: number, list: Entry[]): pb.Entry[] {
  const out: pb.Entry[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.index !== prevLogIndex + 1 + i) {
      throw new InvalidFrameError(`entry ${i} has index ${e.index}, expected ${prevLogIndex + 1 + i}`);
    }
    out[i] = { term: uint(e.term), kind: ENTRY_KIND[e.kind], data: e.data as Uint8Array<ArrayBuffer> };
  }
  return out;
}

function snapshot(s: Snapshot): pb.Snapshot {
  return {
    index: uint(s.index), term: uint(s.term),
    membership: { voters: s.membership.voters, learners: s.membership.learners },
    data: s.data as Uint8Array<ArrayBuffer>,
  };
}

/** toMessage maps a frame to the `Frame` message of raft-wire.proto, checking what the codec would write unchecked. */
function toMessage(f: Frame): pb.Frame {
  switch (f.type) {
    case 'RequestVote':
      return { requestVote: { term: uint(f.term), lastLogIndex: uint(f.lastLogIndex), lastLogTerm: uint(f.lastLogTerm), preVote: f.preVote, transfer: f.transfer } };
    case 'RequestVoteResponse':
      return { requestVoteResponse: { term: uint(f.term), voteGranted: f.voteGranted, preVote: f.preVote } };
    case 'AppendEntries':
      return {
        appendEntries: {
          term: uint(f.term), prevLogIndex: uint(f.prevLogIndex), prevLogTerm: uint(f.prevLogTerm), leaderCommit: uint(f.leaderCommit),
          entries: entries(f.prevLogIndex, f.entries),
          ...(f.quiesce ? { quiesce: true } : {}),
        },
      };
    case 'AppendEntriesResponse':
      return { appendEntriesResponse: { term: uint(f.term), success: f.success, matchIndex: uint(f.matchIndex), hintIndex: uint(f.hintIndex) } };
    case 'InstallSnapshot':
      return { installSnapshot: { term: uint(f.term), snapshot: snapshot(f.snapshot) } };
    case 'InstallSnapshotResponse':
      return { installSnapshotResponse: { term: uint(f.term), matchIndex: uint(f.matchIndex) } };
    case 'TimeoutNow':
      return { timeoutNow: { term: uint(f.term) } };
    case 'ForwardProposal':
      return { forwardProposal: { requestId: f.requestId, data: f.data as Uint8Array<ArrayBuffer> } };
    case 'ForwardProposalResult':
      return {
        forwardProposalResult: {
          requestId: f.requestId, ok: f.ok, index: f.index === undefined ? undefined : uint(f.index), reason: f.reason, leaderId: f.leaderId,
        },
      };
    default: {
      const never: never = f;
      throw new InvalidFrameError(`unknown frame type ${(never as { type: string }).type}`);
    }
  }
}

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
  const message = toMessage(frame);
  const w = createWriter();
  if (prefixed) w.fork();
  pb.Frame.codec().encode(message, w, { lengthDelimited: false });
  if (w.len > maxBytes) throw new FrameTooLargeError(w.len, maxBytes);
  if (prefixed) w.ldelim();
  return w.finish();
}

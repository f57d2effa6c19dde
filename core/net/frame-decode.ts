// Decoding and validation of frames from /raftnotes/raft/1 (pb/raft-wire.proto).
// The generated decoder reads the bytes through a WireReader, which holds them
// to the wire rules (wire types, no field twice, bounds, UTF-8, known enum
// values); this module then checks what the schema cannot say (required
// fields, ids, ranges, the shape of the log an AppendEntries carries) and maps
// the message to a Frame. Any problem throws InvalidFrameError; no other
// exception leaves decodeFrame.
import type { Entry, Membership, NodeId, Snapshot } from '../raft/types.ts';
import { FrameTooLargeError, InvalidFrameError } from './errors.ts';
import { MAX_ENTRIES, MAX_FRAME_BYTES, MAX_ID_LENGTH, MAX_MEMBERS, MAX_REASON_LENGTH, MAX_SNAPSHOT_DATA_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import * as pb from './pb/raft-wire.ts';
import { WireSchema } from './wire-schema.ts';

const WIRE = new WireSchema(pb.schema);
const KINDS: Record<pb.EntryKind, Entry['kind'] | undefined> = {
  ENTRY_KIND_UNSPECIFIED: undefined, ENTRY_KIND_COMMAND: 'command', ENTRY_KIND_CONFIG: 'config', ENTRY_KIND_NOOP: 'noop',
};
// Per-field bounds the generated decoder enforces while it reads; the membership's total is checked after.
const LIMITS = {
  limits: {
    appendEntries: { entries: MAX_ENTRIES },
    installSnapshot: { snapshot: { membership: { voters: MAX_MEMBERS, learners: MAX_MEMBERS } } },
  },
};

/** FrameAddress is who sent a frame and who received it, known from the connection. */
export interface FrameAddress {
  from: NodeId;
  to: NodeId;
}

function id(s: string, what: string, max = MAX_ID_LENGTH): string {
  if (s.length === 0) throw new InvalidFrameError(`${what} is empty`);
  if (s.length > max) throw new InvalidFrameError(`${what} is longer than ${max} characters`);
  return s;
}

function appendEntries(m: pb.AppendEntries, addr: FrameAddress): Frame {
  const { term, prevLogIndex, prevLogTerm, leaderCommit } = WIRE.require('AppendEntries', m, 'term', 'prevLogIndex', 'prevLogTerm', 'leaderCommit');
  if (prevLogIndex + m.entries.length > Number.MAX_SAFE_INTEGER) throw new InvalidFrameError('entry index overflows');
  if (prevLogTerm > term) throw new InvalidFrameError(`prevLogTerm ${prevLogTerm} is above the term ${term}`);
  const entries: Entry[] = new Array(m.entries.length);
  let last = prevLogTerm;
  for (let i = 0; i < entries.length; i++) {
    const e = WIRE.require('Entry', m.entries[i]!, 'term', 'kind', 'data');
    const index = prevLogIndex + 1 + i;
    const kind = KINDS[e.kind];
    if (kind === undefined) throw new InvalidFrameError(`entry ${index} has an unknown kind`);
    if (e.term < last || e.term > term || e.term === 0) {
      throw new InvalidFrameError(`entry ${index} has term ${e.term}, out of order in a term-${term} message`);
    }
    last = e.term;
    entries[i] = { index, term: e.term, kind, data: e.data };
  }
  return { type: 'AppendEntries', ...addr, term, prevLogIndex, prevLogTerm, entries, leaderCommit, quiesce: m.quiesce === true };
}

function membership(m: pb.Membership): Membership {
  const seen = new Set<string>();
  for (const member of [...m.voters, ...m.learners]) {
    id(member, 'member id');
    if (seen.has(member)) throw new InvalidFrameError(`member ${member} is listed twice`);
    if (seen.size >= MAX_MEMBERS) throw new InvalidFrameError(`more than ${MAX_MEMBERS} members`);
    seen.add(member);
  }
  return { voters: m.voters, learners: m.learners };
}

function installSnapshot(m: pb.InstallSnapshot, addr: FrameAddress): Frame {
  const { term, snapshot: s } = WIRE.require('InstallSnapshot', m, 'term', 'snapshot');
  const { index, term: snapshotTerm, membership: members, data } = WIRE.require('Snapshot', s, 'index', 'term', 'membership', 'data');
  if (data.byteLength > MAX_SNAPSHOT_DATA_BYTES) {
    throw new InvalidFrameError(`snapshot data is ${data.byteLength} bytes, more than ${MAX_SNAPSHOT_DATA_BYTES}`);
  }
  if ((index === 0) !== (snapshotTerm === 0)) throw new InvalidFrameError(`snapshot at index ${index} has term ${snapshotTerm}`);
  if (snapshotTerm > term) throw new InvalidFrameError(`snapshot term ${snapshotTerm} is above the term ${term}`);
  const snapshot: Snapshot = { index, term: snapshotTerm, membership: membership(members), data };
  return { type: 'InstallSnapshot', ...addr, term, snapshot };
}

function forwardProposalResult(m: pb.ForwardProposalResult, addr: FrameAddress): Frame {
  const { requestId, ok, index, reason, leaderId } = WIRE.require('ForwardProposalResult', m, 'requestId', 'ok');
  const out: Extract<Frame, { type: 'ForwardProposalResult' }> = { type: 'ForwardProposalResult', ...addr, requestId: id(requestId, 'request id'), ok };
  if (index !== undefined) out.index = index;
  if (reason !== undefined) {
    if (reason.length > MAX_REASON_LENGTH) throw new InvalidFrameError(`reason is longer than ${MAX_REASON_LENGTH} characters`);
    out.reason = reason;
  }
  if (leaderId !== undefined) out.leaderId = id(leaderId, 'leader id');
  if (ok && (index === undefined || index < 1)) throw new InvalidFrameError('an accepted proposal lacks its index');
  if (!ok && reason === undefined) throw new InvalidFrameError('a refused proposal lacks its reason');
  return out;
}

function toFrame(m: pb.Frame, addr: FrameAddress): Frame {
  if (m.requestVote !== undefined) {
    const v = WIRE.require('RequestVote', m.requestVote, 'term', 'lastLogIndex', 'lastLogTerm', 'preVote', 'transfer');
    if (v.lastLogTerm > v.term) throw new InvalidFrameError(`lastLogTerm ${v.lastLogTerm} is above the term ${v.term}`);
    return { type: 'RequestVote', ...addr, term: v.term, lastLogIndex: v.lastLogIndex, lastLogTerm: v.lastLogTerm, preVote: v.preVote, transfer: v.transfer };
  }
  if (m.requestVoteResponse !== undefined) {
    const v = WIRE.require('RequestVoteResponse', m.requestVoteResponse, 'term', 'voteGranted', 'preVote');
    return { type: 'RequestVoteResponse', ...addr, term: v.term, voteGranted: v.voteGranted, preVote: v.preVote };
  }
  if (m.appendEntries !== undefined) return appendEntries(m.appendEntries, addr);
  if (m.appendEntriesResponse !== undefined) {
    const v = WIRE.require('AppendEntriesResponse', m.appendEntriesResponse, 'term', 'success', 'matchIndex', 'hintIndex');
    return { type: 'AppendEntriesResponse', ...addr, term: v.term, success: v.success, matchIndex: v.matchIndex, hintIndex: v.hintIndex };
  }
  if (m.installSnapshot !== undefined) return installSnapshot(m.installSnapshot, addr);
  if (m.installSnapshotResponse !== undefined) {
    const v = WIRE.require('InstallSnapshotResponse', m.installSnapshotResponse, 'term', 'matchIndex');
    return { type: 'InstallSnapshotResponse', ...addr, term: v.term, matchIndex: v.matchIndex };
  }
  if (m.timeoutNow !== undefined) {
    const v = WIRE.require('TimeoutNow', m.timeoutNow, 'term');
    return { type: 'TimeoutNow', ...addr, term: v.term };
  }
  if (m.forwardProposal !== undefined) {
    const v = WIRE.require('ForwardProposal', m.forwardProposal, 'requestId', 'data');
    return { type: 'ForwardProposal', ...addr, requestId: id(v.requestId, 'request id'), data: v.data };
  }
  if (m.forwardProposalResult !== undefined) return forwardProposalResult(m.forwardProposalResult, addr);
  throw new InvalidFrameError('frame has no body');
}

/**
 * decodeFrame decodes and validates one `Frame` message (without its length
 * prefix), filling `from` and `to` from `addr`. It throws InvalidFrameError (or
 * its subclass FrameTooLargeError) for any input that is not a valid frame.
 */
export function decodeFrame(bytes: Uint8Array, addr: FrameAddress, maxBytes = MAX_FRAME_BYTES): Frame {
  if (bytes.byteLength > maxBytes) throw new FrameTooLargeError(bytes.byteLength, maxBytes);
  try {
    return toFrame(WIRE.decode(pb.Frame.codec(), 'Frame', bytes, LIMITS), addr);
  } catch (err) {
    if (err instanceof InvalidFrameError) throw err;
    throw new InvalidFrameError(`frame does not decode: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

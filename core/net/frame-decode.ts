// Decoding and validation of frames from /raftnotes/raft/1 (raft-wire.proto).
// Everything a peer sends is checked here: types, ranges, field presence, entry
// kinds and the shape of the log an AppendEntries carries. Any problem throws
// InvalidFrameError; no other exception leaves decodeFrame.
import type { Entry, Membership, NodeId, Snapshot } from '../raft/types.ts';
import { FrameTooLargeError, InvalidFrameError } from './errors.ts';
import {
  MAX_ENTRIES, MAX_FRAME_BYTES, MAX_ID_LENGTH, MAX_MEMBERS, MAX_REASON_LENGTH, MAX_SNAPSHOT_DATA_BYTES,
} from './frame.ts';
import type { Frame } from './frame.ts';
import { Fields, ProtoReader, WireType } from './proto-reader.ts';

const { VARINT, LEN } = WireType;
const KINDS: readonly Entry['kind'][] = ['command', 'config', 'noop'];

/** FrameAddress is who sent a frame and who received it, known from the connection. */
export interface FrameAddress {
  from: NodeId;
  to: NodeId;
}

/** Scalars reads a flat message of varint fields, each required exactly once. */
function scalars(r: ProtoReader, what: string, count: number, bools: readonly number[] = []): number[] {
  const out = new Array<number>(count + 1).fill(0);
  const fields = new Fields(what);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field > count) { r.skip(wire); continue; }
    fields.once(field);
    r.expect(wire, VARINT, `${what}.${field}`);
    out[field] = bools.includes(field) ? Number(r.bool()) : r.varint();
  }
  fields.require(...Array.from({ length: count }, (_, i) => i + 1));
  return out;
}

function readEntry(r: ProtoReader, index: number, maxData: number): Entry {
  const fields = new Fields('Entry');
  let term = 0;
  let kind: Entry['kind'] = 'command';
  let data: Uint8Array = new Uint8Array(0);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, VARINT, 'Entry.term'); term = r.varint(); }
    else if (field === 2) {
      fields.once(2); r.expect(wire, VARINT, 'Entry.kind');
      const k = KINDS[r.varint() - 1];
      if (k === undefined) throw new InvalidFrameError(`entry ${index} has an unknown kind`);
      kind = k;
    } else if (field === 3) { fields.once(3); r.expect(wire, LEN, 'Entry.data'); data = r.bytes(maxData, 'entry data'); }
    else r.skip(wire);
  }
  fields.require(1, 2, 3);
  return { index, term, kind, data };
}

function readAppendEntries(r: ProtoReader, addr: FrameAddress, maxData: number): Frame {
  const fields = new Fields('AppendEntries');
  const v = [0, 0, 0, 0, 0];
  const raw: ProtoReader[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 4) { fields.once(field); r.expect(wire, VARINT, `AppendEntries.${field}`); v[field] = r.varint(); }
    else if (field === 5) {
      r.expect(wire, LEN, 'AppendEntries.entries');
      if (raw.length >= MAX_ENTRIES) throw new InvalidFrameError(`more than ${MAX_ENTRIES} entries`);
      raw.push(r.message('entry'));
    } else r.skip(wire);
  }
  fields.require(1, 2, 3, 4);
  const [, term, prevLogIndex, prevLogTerm, leaderCommit] = v as [number, number, number, number, number];
  if (prevLogIndex + raw.length > Number.MAX_SAFE_INTEGER) throw new InvalidFrameError('entry index overflows');
  if (prevLogTerm > term) throw new InvalidFrameError(`prevLogTerm ${prevLogTerm} is above the term ${term}`);
  const entries = raw.map((er, i) => readEntry(er, prevLogIndex + 1 + i, maxData));
  let last = prevLogTerm;
  for (const e of entries) {
    if (e.term < last || e.term > term || e.term === 0) {
      throw new InvalidFrameError(`entry ${e.index} has term ${e.term}, out of order in a term-${term} message`);
    }
    last = e.term;
  }
  return { type: 'AppendEntries', ...addr, term, prevLogIndex, prevLogTerm, entries, leaderCommit };
}

function readId(r: ProtoReader, what: string, max = MAX_ID_LENGTH): string {
  const s = r.string(max, what);
  if (s.length === 0) throw new InvalidFrameError(`${what} is empty`);
  return s;
}

function readMembership(r: ProtoReader): Membership {
  const voters: NodeId[] = [];
  const learners: NodeId[] = [];
  const seen = new Set<string>();
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field !== 1 && field !== 2) { r.skip(wire); continue; }
    r.expect(wire, LEN, 'Membership member');
    const id = readId(r, 'member id');
    if (seen.has(id)) throw new InvalidFrameError(`member ${id} is listed twice`);
    if (seen.size >= MAX_MEMBERS) throw new InvalidFrameError(`more than ${MAX_MEMBERS} members`);
    seen.add(id);
    (field === 1 ? voters : learners).push(id);
  }
  return { voters, learners };
}

function readSnapshot(r: ProtoReader): Snapshot {
  const fields = new Fields('Snapshot');
  let index = 0;
  let term = 0;
  let membership: Membership = { voters: [], learners: [] };
  let data: Uint8Array = new Uint8Array(0);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, VARINT, 'Snapshot.index'); index = r.varint(); }
    else if (field === 2) { fields.once(2); r.expect(wire, VARINT, 'Snapshot.term'); term = r.varint(); }
    else if (field === 3) { fields.once(3); r.expect(wire, LEN, 'Snapshot.membership'); membership = readMembership(r.message('membership')); }
    else if (field === 4) { fields.once(4); r.expect(wire, LEN, 'Snapshot.data'); data = r.bytes(MAX_SNAPSHOT_DATA_BYTES, 'snapshot data'); }
    else r.skip(wire);
  }
  fields.require(1, 2, 3, 4);
  if ((index === 0) !== (term === 0)) throw new InvalidFrameError(`snapshot at index ${index} has term ${term}`);
  return { index, term, membership, data };
}

function readInstallSnapshot(r: ProtoReader, addr: FrameAddress): Frame {
  const fields = new Fields('InstallSnapshot');
  let term = 0;
  let snapshot: Snapshot | undefined;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, VARINT, 'InstallSnapshot.term'); term = r.varint(); }
    else if (field === 2) { fields.once(2); r.expect(wire, LEN, 'InstallSnapshot.snapshot'); snapshot = readSnapshot(r.message('snapshot')); }
    else r.skip(wire);
  }
  fields.require(1, 2);
  if (snapshot!.term > term) throw new InvalidFrameError(`snapshot term ${snapshot!.term} is above the term ${term}`);
  return { type: 'InstallSnapshot', ...addr, term, snapshot: snapshot! };
}

function readForwardProposal(r: ProtoReader, addr: FrameAddress, maxData: number): Frame {
  const fields = new Fields('ForwardProposal');
  let requestId = '';
  let data: Uint8Array = new Uint8Array(0);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, LEN, 'ForwardProposal.request_id'); requestId = readId(r, 'request id'); }
    else if (field === 2) { fields.once(2); r.expect(wire, LEN, 'ForwardProposal.data'); data = r.bytes(maxData, 'proposal data'); }
    else r.skip(wire);
  }
  fields.require(1, 2);
  return { type: 'ForwardProposal', ...addr, requestId, data };
}

function readForwardProposalResult(r: ProtoReader, addr: FrameAddress): Frame {
  const fields = new Fields('ForwardProposalResult');
  const out: Extract<Frame, { type: 'ForwardProposalResult' }> = { type: 'ForwardProposalResult', ...addr, requestId: '', ok: false };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, LEN, 'ForwardProposalResult.request_id'); out.requestId = readId(r, 'request id'); }
    else if (field === 2) { fields.once(2); r.expect(wire, VARINT, 'ForwardProposalResult.ok'); out.ok = r.bool(); }
    else if (field === 3) { fields.once(3); r.expect(wire, VARINT, 'ForwardProposalResult.index'); out.index = r.varint(); }
    else if (field === 4) { fields.once(4); r.expect(wire, LEN, 'ForwardProposalResult.reason'); out.reason = r.string(MAX_REASON_LENGTH, 'reason'); }
    else if (field === 5) { fields.once(5); r.expect(wire, LEN, 'ForwardProposalResult.leader_id'); out.leaderId = readId(r, 'leader id'); }
    else r.skip(wire);
  }
  fields.require(1, 2);
  if (out.ok && (out.index === undefined || out.index < 1)) throw new InvalidFrameError('an accepted proposal lacks its index');
  if (!out.ok && out.reason === undefined) throw new InvalidFrameError('a refused proposal lacks its reason');
  return out;
}

function readBody(field: number, r: ProtoReader, addr: FrameAddress, maxData: number): Frame {
  switch (field) {
    case 1: {
      const [, term, lastLogIndex, lastLogTerm, preVote, transfer] = scalars(r, 'RequestVote', 5, [4, 5]) as number[];
      if (lastLogTerm! > term!) throw new InvalidFrameError(`lastLogTerm ${lastLogTerm} is above the term ${term}`);
      return { type: 'RequestVote', ...addr, term: term!, lastLogIndex: lastLogIndex!, lastLogTerm: lastLogTerm!, preVote: preVote === 1, transfer: transfer === 1 };
    }
    case 2: {
      const [, term, voteGranted, preVote] = scalars(r, 'RequestVoteResponse', 3, [2, 3]) as number[];
      return { type: 'RequestVoteResponse', ...addr, term: term!, voteGranted: voteGranted === 1, preVote: preVote === 1 };
    }
    case 3: return readAppendEntries(r, addr, maxData);
    case 4: {
      const [, term, success, matchIndex, hintIndex] = scalars(r, 'AppendEntriesResponse', 4, [2]) as number[];
      return { type: 'AppendEntriesResponse', ...addr, term: term!, success: success === 1, matchIndex: matchIndex!, hintIndex: hintIndex! };
    }
    case 5: return readInstallSnapshot(r, addr);
    case 6: {
      const [, term, matchIndex] = scalars(r, 'InstallSnapshotResponse', 2) as number[];
      return { type: 'InstallSnapshotResponse', ...addr, term: term!, matchIndex: matchIndex! };
    }
    case 7: {
      const [, term] = scalars(r, 'TimeoutNow', 1) as number[];
      return { type: 'TimeoutNow', ...addr, term: term! };
    }
    case 8: return readForwardProposal(r, addr, maxData);
    case 9: return readForwardProposalResult(r, addr);
    default: throw new InvalidFrameError(`unknown frame type ${field}`);
  }
}

/**
 * decodeFrame decodes and validates one `Frame` message (without its length
 * prefix), filling `from` and `to` from `addr`. It throws InvalidFrameError (or
 * its subclass FrameTooLargeError) for any input that is not a valid frame.
 */
export function decodeFrame(bytes: Uint8Array, addr: FrameAddress, maxBytes = MAX_FRAME_BYTES): Frame {
  if (bytes.byteLength > maxBytes) throw new FrameTooLargeError(bytes.byteLength, maxBytes);
  try {
    const r = new ProtoReader(bytes);
    let frame: Frame | undefined;
    while (!r.done()) {
      const { field, wire } = r.tag();
      if (field > 9) { r.skip(wire); continue; }
      if (frame !== undefined) throw new InvalidFrameError('frame has more than one body');
      r.expect(wire, LEN, 'Frame.body');
      frame = readBody(field, r.message('frame body'), addr, maxBytes);
    }
    if (frame === undefined) throw new InvalidFrameError('frame has no body');
    return frame;
  } catch (err) {
    if (err instanceof InvalidFrameError) throw err;
    throw new InvalidFrameError(`frame does not decode: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

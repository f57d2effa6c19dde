// Messages of /raftnotes/join/1 (schema in raft-wire.proto): a peer that is
// not yet a member asks a member to add it; the answer says whether it was
// added (as a learner), or who the leader is to ask instead.
import { writer as createWriter } from 'protons-runtime';
import type { Writer } from 'protons-runtime';
import type { NodeId } from '../raft/types.ts';
import { InvalidFrameError } from './errors.ts';
import { MAX_ID_LENGTH, MAX_MEMBERS, MAX_REASON_LENGTH } from './frame.ts';
import { Fields, ProtoReader } from './proto-reader.ts';

/** JoinRequest asks to join the notebook; `peerId` must be the requester's own. */
export interface JoinRequest {
  peerId: NodeId;
  /** Display name, at most 128 characters. */
  name: string;
  /** Where the requester listens (multiaddrs), at most MAX_JOIN_ADDRS. */
  addrs: string[];
}

/** JoinMember describes one member in a JoinResponse. */
export interface JoinMember {
  id: NodeId;
  name?: string;
  addrs: string[];
  voter: boolean;
}

/** JoinResponse answers a JoinRequest. */
export interface JoinResponse {
  ok: boolean;
  /** The leader, to ask there when this member is not it. */
  leaderId?: NodeId;
  /** The members, so the new peer can start as a learner of the group. */
  members?: JoinMember[];
  /** Why not, e.g. 'not-leader', 'config-change-pending'. */
  reason?: string;
}

/** MAX_JOIN_ADDRS bounds the addresses of one peer in join messages. */
export const MAX_JOIN_ADDRS = 32;

const MAX_ADDR_LENGTH = 512;

function str(w: Writer, field: number, s: string): void {
  w.uint32((field << 3) | 2).string(s);
}

/** encodeJoinRequest encodes a JoinRequest. */
export function encodeJoinRequest(req: JoinRequest): Uint8Array {
  const w = createWriter();
  str(w, 1, req.peerId);
  str(w, 2, req.name);
  for (const a of req.addrs.slice(0, MAX_JOIN_ADDRS)) str(w, 3, a);
  return w.finish();
}

/** decodeJoinRequest decodes and checks a JoinRequest; it throws InvalidFrameError when it is malformed. */
export function decodeJoinRequest(bytes: Uint8Array): JoinRequest {
  const r = new ProtoReader(bytes);
  const fields = new Fields('JoinRequest');
  const out: JoinRequest = { peerId: '', name: '', addrs: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 3) r.expect(wire, 2, `JoinRequest.${field}`);
    if (field === 1) { fields.once(1); out.peerId = r.string(MAX_ID_LENGTH, 'peer id'); }
    else if (field === 2) { fields.once(2); out.name = r.string(128, 'name'); }
    else if (field === 3) {
      if (out.addrs.length === MAX_JOIN_ADDRS) throw new InvalidFrameError('too many addresses');
      out.addrs.push(r.string(MAX_ADDR_LENGTH, 'address'));
    } else r.skip(wire);
  }
  fields.require(1, 2);
  if (out.peerId.length === 0) throw new InvalidFrameError('JoinRequest has an empty peer id');
  return out;
}

/** encodeJoinResponse encodes a JoinResponse. */
export function encodeJoinResponse(res: JoinResponse): Uint8Array {
  const w = createWriter();
  w.uint32(1 << 3).bool(res.ok);
  if (res.leaderId !== undefined) str(w, 2, res.leaderId);
  for (const m of res.members ?? []) {
    w.uint32((3 << 3) | 2).fork();
    str(w, 1, m.id);
    if (m.name !== undefined) str(w, 2, m.name);
    for (const a of m.addrs.slice(0, MAX_JOIN_ADDRS)) str(w, 3, a);
    w.uint32(4 << 3).bool(m.voter);
    w.ldelim();
  }
  if (res.reason !== undefined) str(w, 4, res.reason);
  return w.finish();
}

function readMember(r: ProtoReader): JoinMember {
  const fields = new Fields('JoinMember');
  const m: JoinMember = { id: '', addrs: [], voter: false };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, 2, 'JoinMember.id'); m.id = r.string(MAX_ID_LENGTH, 'member id'); }
    else if (field === 2) { fields.once(2); r.expect(wire, 2, 'JoinMember.name'); m.name = r.string(128, 'member name'); }
    else if (field === 3) {
      r.expect(wire, 2, 'JoinMember.addrs');
      if (m.addrs.length === MAX_JOIN_ADDRS) throw new InvalidFrameError('too many addresses');
      m.addrs.push(r.string(MAX_ADDR_LENGTH, 'address'));
    } else if (field === 4) { fields.once(4); r.expect(wire, 0, 'JoinMember.voter'); m.voter = r.bool(); }
    else r.skip(wire);
  }
  fields.require(1, 4);
  if (m.id.length === 0) throw new InvalidFrameError('JoinMember has an empty id');
  return m;
}

/** decodeJoinResponse decodes and checks a JoinResponse; it throws InvalidFrameError when it is malformed. */
export function decodeJoinResponse(bytes: Uint8Array): JoinResponse {
  const r = new ProtoReader(bytes);
  const fields = new Fields('JoinResponse');
  const out: JoinResponse = { ok: false };
  const members: JoinMember[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) { fields.once(1); r.expect(wire, 0, 'JoinResponse.ok'); out.ok = r.bool(); }
    else if (field === 2) { fields.once(2); r.expect(wire, 2, 'JoinResponse.leader_id'); out.leaderId = r.string(MAX_ID_LENGTH, 'leader id'); }
    else if (field === 3) {
      r.expect(wire, 2, 'JoinResponse.members');
      if (members.length === MAX_MEMBERS) throw new InvalidFrameError('too many members');
      members.push(readMember(r.message('member')));
    } else if (field === 4) { fields.once(4); r.expect(wire, 2, 'JoinResponse.reason'); out.reason = r.string(MAX_REASON_LENGTH, 'reason'); }
    else r.skip(wire);
  }
  fields.require(1);
  if (members.length > 0) out.members = members;
  return out;
}

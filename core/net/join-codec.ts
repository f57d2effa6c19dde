// Messages of /raftnotes/join/1 (schema in pb/join.proto, codec generated in
// pb/join.ts): a peer that is not yet a member asks a member to add it; the
// answer says whether it was added (as a learner), or who the leader is to ask
// instead. Decoding goes through a WireReader, as for frames; this module
// checks presence and lengths after it.
import type { NodeId } from '../raft/types.ts';
import { InvalidFrameError } from './errors.ts';
import { MAX_ID_LENGTH, MAX_MEMBERS, MAX_REASON_LENGTH } from './frame.ts';
import * as pb from './pb/join.ts';
import { WireSchema } from './wire-schema.ts';

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
const MAX_NAME_LENGTH = 128;
const WIRE = new WireSchema(pb.schema);

function text(s: string, what: string, max: number): string {
  if (s.length > max) throw new InvalidFrameError(`${what} is longer than ${max} characters`);
  return s;
}

function addrs(list: string[]): string[] {
  for (const a of list) text(a, 'address', MAX_ADDR_LENGTH);
  return list;
}

/** decode runs a generated decoder through WireSchema.decode; anything it throws becomes an InvalidFrameError. */
function decode<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof InvalidFrameError) throw err;
    throw new InvalidFrameError(`${what} does not decode: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

/** encodeJoinRequest encodes a JoinRequest. */
export function encodeJoinRequest(req: JoinRequest): Uint8Array {
  return pb.JoinRequest.encode({ peerId: req.peerId, name: req.name, addrs: req.addrs.slice(0, MAX_JOIN_ADDRS) });
}

/** decodeJoinRequest decodes and checks a JoinRequest; it throws InvalidFrameError when it is malformed. */
export function decodeJoinRequest(bytes: Uint8Array): JoinRequest {
  const m = decode('JoinRequest', () => WIRE.decode(pb.JoinRequest.codec(), 'JoinRequest', bytes, { limits: { addrs: MAX_JOIN_ADDRS } }));
  const { peerId, name } = WIRE.require('JoinRequest', m, 'peerId', 'name');
  if (peerId.length === 0) throw new InvalidFrameError('JoinRequest has an empty peer id');
  return { peerId: text(peerId, 'peer id', MAX_ID_LENGTH), name: text(name, 'name', MAX_NAME_LENGTH), addrs: addrs(m.addrs) };
}

/** encodeJoinResponse encodes a JoinResponse. */
export function encodeJoinResponse(res: JoinResponse): Uint8Array {
  return pb.JoinResponse.encode({
    ok: res.ok,
    leaderId: res.leaderId,
    members: (res.members ?? []).map((m) => ({ id: m.id, name: m.name, addrs: m.addrs.slice(0, MAX_JOIN_ADDRS), voter: m.voter })),
    reason: res.reason,
  });
}

function member(m: pb.JoinMember): JoinMember {
  const { id, name, voter } = WIRE.require('JoinMember', m, 'id', 'voter');
  if (id.length === 0) throw new InvalidFrameError('JoinMember has an empty id');
  const out: JoinMember = { id: text(id, 'member id', MAX_ID_LENGTH), addrs: addrs(m.addrs), voter };
  if (name !== undefined) out.name = text(name, 'member name', MAX_NAME_LENGTH);
  return out;
}

/** decodeJoinResponse decodes and checks a JoinResponse; it throws InvalidFrameError when it is malformed. */
export function decodeJoinResponse(bytes: Uint8Array): JoinResponse {
  const limits = { members: MAX_MEMBERS, members$: { addrs: MAX_JOIN_ADDRS } };
  const m = decode('JoinResponse', () => WIRE.decode(pb.JoinResponse.codec(), 'JoinResponse', bytes, { limits }));
  const { ok, leaderId, reason } = WIRE.require('JoinResponse', m, 'ok');
  const out: JoinResponse = { ok };
  if (leaderId !== undefined) out.leaderId = text(leaderId, 'leader id', MAX_ID_LENGTH);
  if (m.members.length > 0) out.members = m.members.map(member);
  if (reason !== undefined) out.reason = text(reason, 'reason', MAX_REASON_LENGTH);
  return out;
}

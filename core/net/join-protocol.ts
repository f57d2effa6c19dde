// /raftnotes/join/1: a peer of the notebook that is not a member asks a member
// to add it. This module carries the exchange; the service decides the answer
// (the leader adds a learner; a follower answers 'not-leader' with the leader).
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Multiaddr } from '@multiformats/multiaddr';
import { ProtocolError } from './errors.ts';
import { decodeJoinRequest, decodeJoinResponse, encodeJoinRequest, encodeJoinResponse } from './join-codec.ts';
import type { JoinRequest, JoinResponse } from './join-codec.ts';
import { handleRequests, request } from './request-response.ts';
import type { RequestOptions, RequestResponseComponents } from './request-response.ts';

/** JOIN_PROTOCOL is the libp2p protocol id of the join exchange. */
export const JOIN_PROTOCOL = '/raftnotes/join/1';

/** JoinHandler decides the answer to a join request; `from` is the requester's authenticated peer id. */
export type JoinHandler = (request: JoinRequest, from: string) => Promise<JoinResponse> | JoinResponse;

/**
 * handleJoin registers the handler of join requests. A request whose peerId is
 * not the connection's remote peer is refused without calling it.
 */
export async function handleJoin(c: RequestResponseComponents, handler: JoinHandler): Promise<void> {
  await handleRequests(c, JOIN_PROTOCOL, async (bytes, from) => {
    const req = decodeJoinRequest(bytes);
    if (req.peerId !== from) {
      return encodeJoinResponse({ ok: false, reason: 'the request names another peer than the one asking' });
    }
    return encodeJoinResponse(await handler(req, from));
  });
}

/** toTarget reads a peer id string or a multiaddr string as a dial target. */
export function toTarget(target: string): PeerId | Multiaddr {
  return target.startsWith('/') ? multiaddr(target) : peerIdFromString(target);
}

/** requestJoin asks the peer `target` (peer id or multiaddr) to add this peer; it throws ProtocolError when no valid answer comes. */
export async function requestJoin(
  c: RequestResponseComponents, target: string, req: JoinRequest, options?: RequestOptions,
): Promise<JoinResponse> {
  const bytes = await request(c, toTarget(target), JOIN_PROTOCOL, encodeJoinRequest(req), options);
  try {
    return decodeJoinResponse(bytes);
  } catch (err) {
    throw new ProtocolError(`the join answer from ${target} is malformed: ${(err as Error).message}`, { cause: err });
  }
}

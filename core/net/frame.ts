// The frames that travel on /raftnotes/raft/1: every Raft Message, plus the two
// frames a follower and the leader exchange to forward a proposal. All of them
// carry `from` and `to` like a Message; on the wire both are left out and the
// receiver fills them in from the authenticated connection (see pb/raft-wire.proto).
import type { Message, NodeId } from '../raft/types.ts';

/** ForwardProposal is a command a follower hands to the leader to propose on its behalf. */
export interface ForwardProposal {
  type: 'ForwardProposal';
  from: NodeId;
  to: NodeId;
  /** The outbox request id; the answer carries it back. */
  requestId: string;
  data: Uint8Array;
}

/** ForwardProposalResult is the leader's answer to a ForwardProposal. */
export interface ForwardProposalResult {
  type: 'ForwardProposalResult';
  from: NodeId;
  to: NodeId;
  requestId: string;
  ok: boolean;
  /** Log index the command was appended at (ok only). */
  index?: number;
  /** Why it was refused, e.g. 'not-leader' (not ok only). */
  reason?: string;
  /** The leader the sender knows of, to retry there. */
  leaderId?: NodeId;
}

/** Frame is one unit on the raft stream: a Raft Message or a forwarded proposal and its answer. */
export type Frame = Message | ForwardProposal | ForwardProposalResult;

/** FrameType is the tag of a Frame. */
export type FrameType = Frame['type'];

/** FRAME_TYPES lists every frame tag, in wire order (field numbers 1..9 of `Frame.body`). */
export const FRAME_TYPES: readonly FrameType[] = [
  'RequestVote', 'RequestVoteResponse', 'AppendEntries', 'AppendEntriesResponse',
  'InstallSnapshot', 'InstallSnapshotResponse', 'TimeoutNow', 'ForwardProposal', 'ForwardProposalResult',
];

/** MAX_SNAPSHOT_DATA_BYTES is the largest snapshot (state machine image) one InstallSnapshot carries: 64 MiB. */
export const MAX_SNAPSHOT_DATA_BYTES = 64 * 1024 * 1024;

/**
 * MAX_FRAME_BYTES is the hard limit of one frame's payload (after its length
 * prefix): a 64 MiB snapshot plus 1 MiB for its membership and header. A peer
 * that announces a longer frame has its stream closed before any of it is read.
 */
export const MAX_FRAME_BYTES = MAX_SNAPSHOT_DATA_BYTES + 1024 * 1024;

/** MAX_ID_LENGTH bounds a NodeId or request id in characters (a libp2p peer id has 52). */
export const MAX_ID_LENGTH = 128;

/** MAX_REASON_LENGTH bounds the `reason` of a ForwardProposalResult in characters. */
export const MAX_REASON_LENGTH = 256;

/** MAX_MEMBERS bounds voters plus learners of a snapshot's membership. */
export const MAX_MEMBERS = 1024;

/** MAX_ENTRIES bounds the entries of one AppendEntries. */
export const MAX_ENTRIES = 1_000_000;

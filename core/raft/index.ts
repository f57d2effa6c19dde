// The Raft consensus core: a deterministic state machine with no I/O (the contract of core/raft/types.ts).
export { RaftNode } from './raft-node.ts';
export { RaftInvariantError } from './errors.ts';
export { decodeMembership, encodeMembership } from './membership.ts';
export type {
  ElectionTimer, Entry, HardState, Membership, MembershipChange, Message, MessageType, NodeId, ProgressStatus,
  ProposeResult, RaftOptions, Ready, Role, Snapshot, SoftState, Status,
} from './types.ts';

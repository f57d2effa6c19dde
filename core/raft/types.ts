// The values that cross the boundary of the Raft core: log entries, messages,
// the persisted state and the work handed to the driver in a Ready.
// docs/architecture.md, "The Raft core", tells how the driver uses these.

/** NodeId names one Raft peer (its libp2p peer id in the app). */
export type NodeId = string;

/** Role is where a node stands in the election protocol. */
export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader';

/** Entry is one record of the replicated log. Indexes start at 1; index 0 with term 0 is the empty log. */
export interface Entry {
  index: number;
  term: number;
  kind: 'command' | 'config' | 'noop';
  data: Uint8Array;
}

/** Membership lists the peers whose votes count (voters) and those that only receive the log (learners). */
export interface Membership {
  voters: NodeId[];
  learners: NodeId[];
}

/** HardState is what must be durable before any message that depends on it leaves the node. */
export interface HardState {
  term: number;
  votedFor: NodeId | null;
  commitIndex: number;
}

/** Snapshot is the state machine's image at `index`, standing in for every entry up to it. */
export interface Snapshot {
  index: number;
  term: number;
  membership: Membership;
  data: Uint8Array;
}

/** Message is one Raft RPC or its answer; `term` is always the sender's current term. */
export type Message =
  | { type: 'RequestVote'; from: NodeId; to: NodeId; term: number;
      lastLogIndex: number; lastLogTerm: number; preVote: boolean; transfer: boolean }
  | { type: 'RequestVoteResponse'; from: NodeId; to: NodeId; term: number; voteGranted: boolean; preVote: boolean }
  | { type: 'AppendEntries'; from: NodeId; to: NodeId; term: number;
      prevLogIndex: number; prevLogTerm: number; entries: Entry[]; leaderCommit: number;
      /** A quiet heartbeat: the leader has nothing to send, and a follower that has everything may quiesce. */
      quiesce: boolean }
  | { type: 'AppendEntriesResponse'; from: NodeId; to: NodeId; term: number;
      success: boolean; matchIndex: number; hintIndex: number }
  | { type: 'InstallSnapshot'; from: NodeId; to: NodeId; term: number; snapshot: Snapshot }
  | { type: 'InstallSnapshotResponse'; from: NodeId; to: NodeId; term: number; matchIndex: number }
  | { type: 'TimeoutNow'; from: NodeId; to: NodeId; term: number };

/** MessageType is the tag of a Message. */
export type MessageType = Message['type'];

/** RaftOptions configures a RaftNode; only `id` and `membership` are required. */
export interface RaftOptions {
  id: NodeId;
  /** The bootstrap membership, used when `restore` holds none. */
  membership: Membership;
  /** Default 15: a timeout is drawn uniformly from [electionTicks, 2*electionTicks). */
  electionTicks?: number;
  /** Default 5. */
  heartbeatTicks?: number;
  /** Default true. */
  preVote?: boolean;
  /** Default true. */
  checkQuorum?: boolean;
  /**
   * Default true: an idle group quiesces. Once every member that answers has the
   * whole log, the leader sends only a quiet heartbeat every quietHeartbeatTicks
   * and its followers' election timers wait; any proposal, any other message, or
   * wake() (the driver lost a connection) wakes the group.
   */
  quiesce?: boolean;
  /** Default 5 * electionTicks: how often a quiescent leader sends its quiet heartbeat. */
  quietHeartbeatTicks?: number;
  /** Default 4 * quietHeartbeatTicks: a quiescent follower that hears nothing from its leader this long wakes. */
  quietTimeoutTicks?: number;
  /** [0, 1); default Math.random; tests pass a seeded generator. */
  random?: () => number;
  /** What was read back from storage. */
  restore?: { hardState: HardState; entries: Entry[]; snapshot?: Snapshot };
  /** Default 1024: at most this many entries in one AppendEntries. */
  maxEntriesPerMessage?: number;
  /** Default 1 MiB: entry data bytes in one AppendEntries (one entry is always allowed). */
  maxBytesPerMessage?: number;
  /** Default 256: AppendEntries in flight to one follower before the leader waits for answers. */
  maxInflightMessages?: number;
}

/**
 * Ready is the work the driver does next, in this order: persist `hardState`,
 * `snapshot` and `entries` (durably), send `messages`, apply `committed`, then
 * call `advance(ready)`.
 */
export interface Ready {
  /** To persist, before any message is sent; null when unchanged. */
  hardState: HardState | null;
  /** To append to the durable log; an entry at an existing index replaces it and all after it. */
  entries: Entry[];
  /**
   * To persist; null when unchanged. The durable log then drops every entry up to
   * `snapshot.index`, and all of it when it does not hold that entry with
   * `snapshot.term`. The state machine restores from it when it has applied less.
   */
  snapshot: Snapshot | null;
  /** To apply to the state machine, in index order without gaps (noop and config included). */
  committed: Entry[];
  /** To send, after the above is durable. */
  messages: Message[];
}

/** Progress is the leader's view of one follower's log. */
export interface ProgressStatus {
  matchIndex: number;
  nextIndex: number;
  active: boolean;
}

/** Status is a node's state for the cluster view. */
export interface Status {
  id: NodeId;
  role: Role;
  term: number;
  leaderId: NodeId | null;
  votedFor: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  firstIndex: number;
  lastIndex: number;
  membership: Membership;
  /** Leader only: one row per member of the latest membership, the leader included. */
  progress: Record<NodeId, ProgressStatus> | null;
  /** Whether the group is quiescent as this node sees it (RaftOptions.quiesce). */
  quiescent: boolean;
}

/**
 * SoftState is what a node's driver watches to tell the application what
 * changed (etcd's SoftState, with the term, the commit index and the
 * membership): none of it needs a Ready to change (a CheckQuorum step-down
 * sends nothing). `membership` is the latest in the log, committed or not; it
 * is a new object whenever the membership changes, and must not be modified.
 */
export interface SoftState {
  role: Role;
  term: number;
  leaderId: NodeId | null;
  commitIndex: number;
  membership: Readonly<Membership>;
}

/** ElectionTimer is the timer a node acts on next, in ticks (RaftNode.electionTimer). Invariant: 0 <= elapsed < timeout. */
export interface ElectionTimer {
  /** 'election' for followers and candidates (they campaign when it runs out), 'heartbeat' for a leader. */
  kind: 'election' | 'heartbeat';
  elapsed: number;
  timeout: number;
}

/** ProposeResult says where a proposal went, or why it was refused. */
export type ProposeResult =
  | { ok: true; index: number; term: number }
  | { ok: false; reason: 'not-leader' | 'transferring' | 'config-change-pending'; leaderId: NodeId | null };

/** MembershipChange is one single-server change to the membership. */
export interface MembershipChange {
  type: 'addLearner' | 'addVoter' | 'remove';
  id: NodeId;
}

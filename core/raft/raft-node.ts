// RaftNode is the Raft consensus algorithm as a deterministic state machine,
// after etcd/raft: the driver calls tick() on a timer, step() for each message
// received and propose() for each command, then drains ready(): persist, send,
// apply, advance(). It does no I/O, keeps no clock and draws randomness only
// from the `random` it is given.
//
// References are to the Raft paper (Ongaro and Ousterhout, extended version)
// and to Ongaro's dissertation for PreVote, CheckQuorum, leadership transfer and
// membership changes. Quiescence (an idle group stops heartbeating) is after
// CockroachDB's quiesced ranges.
import { invariant } from './errors.ts';
import { RaftLog, UNKNOWN_TERM } from './log.ts';
import { applyChange, decodeMembership, encodeMembership, isMember, isVoter, members } from './membership.ts';
import { Progress } from './progress.ts';
import { committedIndex, voteResult } from './quorum.ts';
import type {
  ElectionTimer, Entry, HardState, MembershipChange, Message, NodeId, ProgressStatus, ProposeResult,
  RaftOptions, Ready, Role, Snapshot, SoftState, Status,
} from './types.ts';

type CampaignKind = 'preVote' | 'election' | 'transfer';

const EMPTY = new Uint8Array(0);

/** RaftNode is one peer's Raft state machine. */
export class RaftNode {
  readonly id: NodeId;

  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  /** Whether elections start with a pre-vote and leaders step down without a majority; setSafeguards changes them. */
  private preVote: boolean;
  private checkQuorum: boolean;
  private readonly quiesce: boolean;
  private readonly quietHeartbeatTicks: number;
  private readonly quietTimeoutTicks: number;
  private readonly random: () => number;
  private readonly maxEntriesPerMessage: number;
  private readonly maxBytesPerMessage: number;
  private readonly maxInflightMessages: number;

  private term = 0;
  private votedFor: NodeId | null = null;
  private role: Role = 'follower';
  private leaderId: NodeId | null = null;
  private readonly log: RaftLog;

  /** Leader only: one Progress per member other than this node. */
  private readonly progress = new Map<NodeId, Progress>();
  /** Candidate and precandidate only: the answers received this election. */
  private readonly votes = new Map<NodeId, boolean>();
  /** Messages not yet handed out in a Ready. */
  private msgs: Message[] = [];
  /** Leader only: set when followers may have entries or a commit index to be sent. */
  private pendingSend = false;

  /** Ticks since the last election timeout reset (followers, candidates) or CheckQuorum round (leader). */
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  /** Invariant: electionTicks <= randomizedElectionTimeout < 2 * electionTicks. */
  private randomizedElectionTimeout = 0;

  /**
   * Quiescence: the leader sends only quiet heartbeats, every quietHeartbeatTicks,
   * to every member; a follower's election timer waits for quietTimeoutTicks of
   * silence from its leader instead. quietElapsed counts ticks since the last
   * quiet heartbeat sent (leader) or received (follower).
   */
  private quiescent = false;
  private quietElapsed = 0;
  /** Leader only, while quiescent: the members that had the whole log when it quiesced; each must answer every quiet round. */
  private readonly quietMembers = new Set<NodeId>();

  /** Leader only: the member leadership is being handed to, and ticks since the transfer began. */
  private transferee: NodeId | null = null;
  private transferElapsed = 0;

  /** The hard state last handed out in a Ready. */
  private prevHardState: HardState;

  constructor(options: RaftOptions) {
    this.id = options.id;
    this.electionTicks = options.electionTicks ?? 15;
    this.heartbeatTicks = options.heartbeatTicks ?? 5;
    this.preVote = options.preVote ?? true;
    this.checkQuorum = options.checkQuorum ?? true;
    this.quiesce = options.quiesce ?? true;
    this.quietHeartbeatTicks = options.quietHeartbeatTicks ?? 5 * this.electionTicks;
    this.quietTimeoutTicks = options.quietTimeoutTicks ?? 4 * this.quietHeartbeatTicks;
    this.random = options.random ?? Math.random;
    this.maxEntriesPerMessage = options.maxEntriesPerMessage ?? 1024;
    this.maxBytesPerMessage = options.maxBytesPerMessage ?? 1 << 20;
    this.maxInflightMessages = options.maxInflightMessages ?? 256;
    invariant(this.electionTicks > this.heartbeatTicks && this.heartbeatTicks > 0,
      'electionTicks must be greater than heartbeatTicks, and heartbeatTicks above 0');
    invariant(this.quietHeartbeatTicks >= this.heartbeatTicks && this.quietTimeoutTicks >= 2 * this.quietHeartbeatTicks,
      'quietHeartbeatTicks must be at least heartbeatTicks, and quietTimeoutTicks at least twice quietHeartbeatTicks');
    invariant(this.maxEntriesPerMessage > 0 && this.maxBytesPerMessage > 0 && this.maxInflightMessages > 0,
      'message and inflight limits must be positive');

    const restore = options.restore;
    this.log = new RaftLog(restore?.snapshot?.membership ?? options.membership);
    if (restore !== undefined) {
      if (restore.snapshot !== undefined) this.log.restore(restore.snapshot, true);
      this.log.load(restore.entries);
      const { hardState } = restore;
      invariant(hardState.commitIndex <= this.log.lastIndex(),
        () => `restore: commit index ${hardState.commitIndex} is beyond the stored log (last ${this.log.lastIndex()})`);
      this.term = hardState.term;
      this.votedFor = hardState.votedFor;
      this.log.commitTo(hardState.commitIndex);
    }
    this.prevHardState = this.hardState();
    this.becomeFollower(this.term, null);
  }

  // ---- Inputs -------------------------------------------------------------

  /** tick advances logical time by one tick: election timeouts and heartbeats. */
  tick(): void {
    if (this.quiescent) this.tickQuiescent();
    else if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /**
   * wake ends quiescence: the driver calls it when a connection to another
   * member was lost (the leader may be gone), so the election timer runs again
   * and a leader heartbeats (and counts CheckQuorum) as usual.
   */
  wake(): void {
    this.wakeUp(true);
  }

  /**
   * ticksUntilDue is how many tick() calls may come before one of them does
   * anything but count (a heartbeat, an election or another timeout): a
   * driver may sleep that long, then make the ticks it owes. At least 1.
   */
  ticksUntilDue(): number {
    if (this.quiescent) {
      return Math.max(1, (this.role === 'leader' ? this.quietHeartbeatTicks : this.quietTimeoutTicks) - this.quietElapsed);
    }
    if (this.role !== 'leader') return Math.max(1, this.randomizedElectionTimeout - this.electionElapsed);
    let due = Math.min(this.heartbeatTicks - this.heartbeatElapsed, this.electionTicks - this.electionElapsed);
    if (this.transferee !== null) due = Math.min(due, this.electionTicks - this.transferElapsed);
    for (const pr of this.progress.values()) {
      if (pr.state === 'snapshot') due = Math.min(due, 4 * this.electionTicks - pr.snapshotTicks);
    }
    return Math.max(1, due);
  }

  /** propose appends a command to the log when this node leads. */
  propose(data: Uint8Array): ProposeResult {
    const refused = this.refuseProposal();
    if (refused !== null) return refused;
    return this.appendOwn('command', data);
  }

  /** changeMembership proposes one single-server membership change (dissertation §4.1). */
  changeMembership(change: MembershipChange): ProposeResult {
    const refused = this.refuseProposal();
    if (refused !== null) return refused;
    // One change at a time, and none before this leader committed an entry of
    // its term (which also commits any change an earlier leader left).
    if (this.log.lastConfigIndex() > this.log.committed || this.log.term(this.log.committed) !== this.term) {
      return { ok: false, reason: 'config-change-pending', leaderId: this.leaderId };
    }
    const next = applyChange(this.log.membership(), change);
    return this.appendOwn('config', encodeMembership(next));
  }

  /** transferLeadership hands leadership to voter `to`: catch it up, then TimeoutNow (dissertation §3.10). */
  transferLeadership(to: NodeId): void {
    if (this.role !== 'leader' || to === this.id || this.transferee === to) return;
    if (!isVoter(this.log.membership(), to) || !this.progress.has(to)) return;
    this.wake();
    this.transferee = to;
    this.transferElapsed = 0;
    if (this.progress.get(to)!.match === this.log.lastIndex()) this.send({ type: 'TimeoutNow', from: this.id, to, term: this.term });
    else this.pendingSend = true;
  }

  /** campaign starts an election now, as if the election timeout had fired. */
  campaign(): void {
    if (this.role === 'leader' || !this.promotable()) return;
    this.wake();
    this.startCampaign(this.preVote ? 'preVote' : 'election');
  }

  /** compact replaces the log up to `index` (applied) with the state machine's image `data`. */
  compact(index: number, data: Uint8Array): void {
    if (index <= this.log.snapshotIndex) return;
    this.log.compact(index, data);
  }

  /** step handles one message received; stale or misaddressed messages are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    // Any message but the leader's own traffic wakes a quiescent group (the handlers judge that traffic).
    if (this.quiescent && m.type !== 'AppendEntries' && m.type !== 'AppendEntriesResponse') this.wake();
    if (m.term > this.term) {
      if (m.type === 'RequestVote' && !m.transfer && this.inLease(m.preVote)) {
        // Dissertation §4.2.3: a node that hears from a live leader ignores votes.
        return;
      }
      const keepTerm = (m.type === 'RequestVote' && m.preVote) ||
        (m.type === 'RequestVoteResponse' && m.preVote && m.voteGranted);
      if (!keepTerm) {
        const fromLeader = m.type === 'AppendEntries' || m.type === 'InstallSnapshot' || m.type === 'TimeoutNow';
        this.becomeFollower(m.term, fromLeader ? m.from : null);
      }
    } else if (m.term < this.term) {
      this.answerStale(m);
      return;
    }

    switch (m.type) {
      case 'RequestVote': return this.handleRequestVote(m);
      case 'RequestVoteResponse': return this.handleVoteResponse(m);
      case 'AppendEntries': return this.handleAppendEntries(m);
      case 'AppendEntriesResponse': return this.handleAppendResponse(m);
      case 'InstallSnapshot': return this.handleInstallSnapshot(m);
      case 'InstallSnapshotResponse': return this.handleSnapshotResponse(m);
      case 'TimeoutNow': return this.handleTimeoutNow();
      default: {
        const never: never = m;
        void never;
      }
    }
  }

  // ---- Outputs ------------------------------------------------------------

  /** hasReady says whether ready() has work for the driver. */
  hasReady(): boolean {
    return this.msgs.length > 0 || this.pendingSend || this.log.hasUnstable() ||
      this.log.pendingSnapshot !== null || this.log.hasNextCommitted() || this.hardStateChanged();
  }

  /** ready hands over the work to do: persist, send, apply. Its messages are taken; call advance(ready) next. */
  ready(): Ready {
    if (this.pendingSend) this.sendAppends();
    const hardState = this.hardStateChanged() ? this.hardState() : null;
    if (hardState !== null) this.prevHardState = hardState;
    const ready: Ready = {
      hardState,
      entries: this.log.unstableEntries(),
      snapshot: this.log.pendingSnapshot,
      committed: this.log.nextCommitted(),
      messages: this.msgs,
    };
    this.msgs = [];
    return ready;
  }

  /** advance records that the driver persisted, sent and applied `ready`. */
  advance(ready: Ready): void {
    if (ready.snapshot !== null) this.log.snapshotPersisted(ready.snapshot);
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) this.log.stableTo(lastEntry.index, lastEntry.term);
    const lastCommitted = ready.committed[ready.committed.length - 1];
    if (lastCommitted !== undefined) this.log.appliedTo(lastCommitted.index);
  }

  /**
   * entries reads up to `maxCount` entries of the log from index `lo` on, for
   * views of the log (a `lo` already compacted reads from firstIndex on). The
   * entries may not be durable or committed yet: compare with status().
   */
  entries(lo: number, maxCount: number): Entry[] {
    const from = Math.max(lo, this.log.firstIndex());
    if (from > this.log.lastIndex() || maxCount <= 0) return [];
    return this.log.slice(from, maxCount, Number.POSITIVE_INFINITY);
  }

  /**
   * electionTimer is the clock that makes this node act next: for a follower
   * or candidate, the ticks since its election timeout was reset and the
   * randomized timeout; for a leader, the ticks since its last heartbeat and
   * the heartbeat interval; while quiescent, the quiet timeout (follower) or
   * quiet heartbeat interval (leader). For the demo's timer rings; reading it
   * changes nothing.
   */
  electionTimer(): ElectionTimer {
    if (this.quiescent) {
      return this.role === 'leader'
        ? { kind: 'heartbeat', elapsed: this.quietElapsed, timeout: this.quietHeartbeatTicks }
        : { kind: 'election', elapsed: this.quietElapsed, timeout: this.quietTimeoutTicks };
    }
    if (this.role === 'leader') return { kind: 'heartbeat', elapsed: this.heartbeatElapsed, timeout: this.heartbeatTicks };
    return { kind: 'election', elapsed: this.electionElapsed, timeout: this.randomizedElectionTimeout };
  }

  /**
   * fireElectionIn makes this node's election timeout fire after `ticks` more
   * ticks (at least 1), as if its random draw had given that: two nodes set
   * alike campaign together (the demo's split vote). A leader ignores it.
   */
  fireElectionIn(ticks: number): void {
    invariant(Number.isInteger(ticks) && ticks >= 1, () => `fireElectionIn: ticks must be a whole number >= 1, not ${ticks}`);
    if (this.role === 'leader') return;
    if (this.quiescent) this.wake();
    this.randomizedElectionTimeout = Math.max(this.randomizedElectionTimeout, ticks);
    this.electionElapsed = this.randomizedElectionTimeout - ticks;
  }

  /**
   * setSafeguards turns PreVote (dissertation §9.6: a node that cannot win does
   * not raise the term) and CheckQuorum (§6.2: a leader that hears no majority
   * steps down) on or off while the node runs: off plays classic Raft, where a
   * cut-off leader keeps its term and accepts writes it cannot commit.
   */
  setSafeguards(safeguards: { preVote?: boolean; checkQuorum?: boolean }): void {
    if (safeguards.preVote !== undefined) this.preVote = safeguards.preVote;
    if (safeguards.checkQuorum !== undefined) this.checkQuorum = safeguards.checkQuorum;
  }

  /** safeguards tells whether PreVote and CheckQuorum are on. */
  safeguards(): { preVote: boolean; checkQuorum: boolean } {
    return { preVote: this.preVote, checkQuorum: this.checkQuorum };
  }

  /** softState is the part of the state a driver watches for changes; cheap enough to read after every input. */
  softState(): SoftState {
    return { role: this.role, term: this.term, leaderId: this.leaderId, commitIndex: this.log.committed, membership: this.log.membership() };
  }

  /** status is this node's state for the cluster view. */
  status(): Status {
    let progress: Record<NodeId, ProgressStatus> | null = null;
    if (this.role === 'leader') {
      progress = { [this.id]: { matchIndex: this.log.lastIndex(), nextIndex: this.log.lastIndex() + 1, active: true } };
      for (const [id, pr] of this.progress) progress[id] = { matchIndex: pr.match, nextIndex: pr.next, active: pr.recentActive };
    }
    const m = this.log.membership();
    return {
      id: this.id, role: this.role, term: this.term, leaderId: this.leaderId, votedFor: this.votedFor,
      commitIndex: this.log.committed, appliedIndex: this.log.applied,
      firstIndex: this.log.firstIndex(), lastIndex: this.log.lastIndex(),
      membership: { voters: [...m.voters], learners: [...m.learners] },
      progress, quiescent: this.quiescent,
    };
  }

  // ---- Roles (Raft §5.2) --------------------------------------------------

  private becomeFollower(term: number, leaderId: NodeId | null): void {
    this.reset(term);
    this.role = 'follower';
    this.leaderId = leaderId;
  }

  private becomePreCandidate(): void {
    invariant(this.role !== 'leader', 'invalid transition: leader -> precandidate');
    // PreVote (dissertation §9.6) neither raises the term nor changes the vote.
    this.votes.clear();
    this.electionElapsed = 0;
    this.randomizeElectionTimeout();
    this.role = 'precandidate';
    this.leaderId = null;
  }

  private becomeCandidate(): void {
    invariant(this.role !== 'leader', 'invalid transition: leader -> candidate');
    this.reset(this.term + 1);
    this.votedFor = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    invariant(this.role === 'candidate', () => `invalid transition: ${this.role} -> leader`);
    this.reset(this.term);
    this.role = 'leader';
    this.leaderId = this.id;
    this.syncProgress();
    // Raft §5.4.2 and §8: a new leader commits an entry of its own term.
    this.appendOwn('noop', EMPTY);
  }

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.votedFor = null;
    }
    this.leaderId = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizeElectionTimeout();
    this.transferee = null;
    this.votes.clear();
    this.progress.clear();
    this.pendingSend = false;
    this.quiescent = false;
    this.quietElapsed = 0;
    this.quietMembers.clear();
  }

  private randomizeElectionTimeout(): void {
    // Raft §5.2: timeouts drawn from [electionTicks, 2 * electionTicks) spread out elections.
    const r = this.random();
    invariant(r >= 0 && r < 1, () => `random() returned ${r}, outside [0, 1)`);
    this.randomizedElectionTimeout = this.electionTicks + Math.floor(r * this.electionTicks);
  }

  /**
   * promotable says whether this node may campaign: it votes both in the latest
   * membership of its log and in the committed one, so a joining learner waits
   * for the configuration that makes it a voter to commit.
   */
  private promotable(): boolean {
    return isVoter(this.log.membership(), this.id) && isVoter(this.log.membershipAt(this.log.committed), this.id);
  }

  /** inLease says whether this node heard from a live leader within the minimum election timeout. */
  private inLease(preVote: boolean): boolean {
    return (this.checkQuorum || preVote) && this.leaderId !== null && this.electionElapsed < this.electionTicks;
  }

  // ---- Elections (Raft §5.2, §5.4.1) ---------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      if (this.promotable()) this.startCampaign(this.preVote ? 'preVote' : 'election');
    }
  }

  private startCampaign(kind: CampaignKind): void {
    let voteTerm: number;
    if (kind === 'preVote') {
      this.becomePreCandidate();
      voteTerm = this.term + 1;
    } else {
      this.becomeCandidate();
      voteTerm = this.term;
    }
    const preVote = kind === 'preVote';
    if (this.recordVote(this.id, true)) return;
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    for (const to of this.log.membership().voters) {
      if (to === this.id) continue;
      this.send({ type: 'RequestVote', from: this.id, to, term: voteTerm, lastLogIndex, lastLogTerm,
        preVote, transfer: kind === 'transfer' });
    }
  }

  /** recordVote counts one answer and acts on the outcome; true when the election is decided. */
  private recordVote(from: NodeId, granted: boolean): boolean {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    const result = voteResult(this.log.membership().voters, this.votes);
    if (result === 'won') {
      if (this.role === 'precandidate') this.startCampaign('election');
      else this.becomeLeader();
      return true;
    }
    if (result === 'lost') {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  private handleRequestVote(m: Extract<Message, { type: 'RequestVote' }>): void {
    // Raft §5.2: one vote per term, first come first served; §5.4.1: only for an
    // up-to-date log. A PreVote for a later term is granted on the log alone.
    const canVote = this.votedFor === m.from ||
      (this.votedFor === null && this.leaderId === null) ||
      (m.preVote && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      this.send({ type: 'RequestVoteResponse', from: this.id, to: m.from, term: m.term, voteGranted: true, preVote: m.preVote });
      if (!m.preVote) {
        this.electionElapsed = 0;
        this.votedFor = m.from;
      }
    } else {
      this.send({ type: 'RequestVoteResponse', from: this.id, to: m.from, term: this.term, voteGranted: false, preVote: m.preVote });
    }
  }

  private handleVoteResponse(m: Extract<Message, { type: 'RequestVoteResponse' }>): void {
    const waiting = m.preVote ? this.role === 'precandidate' : this.role === 'candidate';
    if (!waiting) return;
    this.recordVote(m.from, m.voteGranted);
  }

  private handleTimeoutNow(): void {
    // Dissertation §3.10: the transfer target campaigns at once, skipping PreVote.
    if (this.role !== 'leader' && this.promotable()) this.startCampaign('transfer');
  }

  // ---- Replication, follower side (Raft §5.3) ------------------------------

  private handleAppendEntries(m: Extract<Message, { type: 'AppendEntries' }>): void {
    if (this.role === 'leader') return; // Election Safety: no other leader of this term exists.
    if (this.role !== 'follower') this.becomeFollower(this.term, m.from);
    this.leaderId = m.from;
    this.electionElapsed = 0;
    if (!wellFormed(m)) return;

    let prevLogIndex = m.prevLogIndex;
    let prevLogTerm = m.prevLogTerm;
    let entries = m.entries;
    this.quietElapsed = 0;
    const committed = this.log.committed;
    if (prevLogIndex < committed) {
      // The committed prefix matches every leader's log (Raft §5.4); keep only what follows it.
      const skip = committed - prevLogIndex;
      if (skip >= entries.length) {
        // Everything sent is committed here already: say how far this log is known to match
        // (etcd/raft does the same), so a leader whose own anchor for us was compacted learns it.
        this.answerAppend(m.from, true, committed, 0);
        this.quiesceOrWake(m);
        return;
      }
      prevLogIndex = committed;
      prevLogTerm = entries[skip - 1]!.term;
      entries = entries.slice(skip);
    }
    const lastNew = this.log.maybeAppend(prevLogIndex, prevLogTerm, entries);
    if (lastNew >= 0) {
      this.log.commitTo(Math.min(m.leaderCommit, lastNew));
      this.answerAppend(m.from, true, lastNew, 0);
      this.quiesceOrWake(m);
      return;
    }
    this.wake();
    // Where the leader should retry: past every entry of ours whose term cannot
    // match (etcd/raft's findConflictByTerm), always below the rejected index.
    const hint = prevLogIndex > this.log.lastIndex()
      ? this.log.lastIndex()
      : Math.max(this.log.findConflictByTerm(prevLogIndex, Math.min(prevLogTerm, this.log.term(prevLogIndex) - 1)), committed);
    this.answerAppend(m.from, false, 0, hint);
  }

  /**
   * quiesceOrWake follows the leader after an AppendEntries that matched: a quiet
   * heartbeat quiesces a follower that has the leader's whole log and commit
   * index; anything else means the group is awake.
   */
  private quiesceOrWake(m: Extract<Message, { type: 'AppendEntries' }>): void {
    if (m.quiesce && m.entries.length === 0 && this.log.lastIndex() === m.prevLogIndex && this.log.committed === m.leaderCommit) {
      this.quiescent = true;
      this.quietElapsed = 0;
    } else {
      this.wake();
    }
  }

  private answerAppend(to: NodeId, success: boolean, matchIndex: number, hintIndex: number): void {
    this.send({ type: 'AppendEntriesResponse', from: this.id, to, term: this.term, success, matchIndex, hintIndex });
  }

  private handleInstallSnapshot(m: Extract<Message, { type: 'InstallSnapshot' }>): void {
    if (this.role === 'leader') return;
    this.wake();
    if (this.role !== 'follower') this.becomeFollower(this.term, m.from);
    this.leaderId = m.from;
    this.electionElapsed = 0;
    const s = m.snapshot;
    if (!validSnapshot(s, m.term)) return;
    if (s.index > this.log.committed) this.log.installSnapshot(s);
    this.send({ type: 'InstallSnapshotResponse', from: this.id, to: m.from, term: this.term, matchIndex: this.log.committed });
  }

  // ---- Replication, leader side (Raft §5.3, §5.4) ---------------------------

  private refuseProposal(): ProposeResult | null {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leaderId: this.leaderId };
    if (this.transferee !== null) return { ok: false, reason: 'transferring', leaderId: this.leaderId };
    return null;
  }

  private appendOwn(kind: Entry['kind'], data: Uint8Array): ProposeResult {
    this.wakeUp(false); // the entry itself goes to every follower at once
    const index = this.log.lastIndex() + 1;
    this.log.append([{ index, term: this.term, kind, data }]);
    if (kind === 'config') this.syncProgress();
    this.maybeCommit();
    this.pendingSend = true;
    return { ok: true, index, term: this.term };
  }

  private handleAppendResponse(m: Extract<Message, { type: 'AppendEntriesResponse' }>): void {
    const pr = this.progress.get(m.from);
    if (this.role !== 'leader' || pr === undefined) return;
    pr.recentActive = true;
    // A quiescent leader hears only answers to its quiet heartbeats; any other news wakes it.
    if (this.quiescent && !(m.success && m.matchIndex === this.log.lastIndex())) this.wake();
    if (!m.success) {
      // The follower's log differs at or before the index sent: retry after its
      // hint, and always further back than before. A hint below what the
      // follower already matched, or a probe at the match point, is stale.
      if (pr.state === 'snapshot' || m.hintIndex < pr.match || pr.next - 1 <= pr.match) return;
      const next = Math.max(pr.match + 1, Math.min(m.hintIndex + 1, pr.next - 1));
      pr.becomeProbe();
      pr.next = next;
      this.pendingSend = true;
      return;
    }
    if (pr.maybeUpdate(m.matchIndex)) {
      if (pr.state === 'probe') pr.becomeReplicate();
      else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
      else pr.inflights.freeTo(pr.match);
      this.maybeCommit();
    } else if (pr.state === 'probe') {
      // A probe answered without news: the follower matches at next - 1, or the probe is to be sent again.
      if (m.matchIndex === pr.next - 1) pr.becomeReplicate();
      pr.probeSent = false;
    } else if (pr.state === 'replicate' && m.matchIndex === pr.match && pr.match < this.log.lastIndex() &&
        pr.stalledTicks >= this.heartbeatTicks) {
      // A heartbeat answer while entries have been outstanding for a heartbeat
      // interval: entries or their acknowledgements may have been lost. Make room
      // in the window, and ask at the optimistic point so the follower either
      // confirms it or rejects.
      pr.inflights.freeFirst();
      if (pr.next > this.log.lastIndex()) this.sendAppend(m.from, pr);
    }
    if (this.role !== 'leader') return; // a committed self-removal handed leadership over
    if (m.from === this.transferee && pr.match === this.log.lastIndex()) {
      this.send({ type: 'TimeoutNow', from: this.id, to: m.from, term: this.term });
    }
    if (pr.match < this.log.lastIndex() || pr.sentCommit < this.log.committed) this.pendingSend = true;
  }

  private handleSnapshotResponse(m: Extract<Message, { type: 'InstallSnapshotResponse' }>): void {
    const pr = this.progress.get(m.from);
    if (this.role !== 'leader' || pr === undefined) return;
    pr.recentActive = true;
    pr.maybeUpdate(m.matchIndex);
    if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
    if (!this.maybeCommit()) this.pendingSend = true;
  }

  /**
   * maybeCommit advances the commit index to what a majority of voters hold,
   * counting only entries of the current term (Raft §5.4.2, Figure 8).
   * True when it moved.
   */
  private maybeCommit(): boolean {
    const voters = this.log.membership().voters;
    const index = committedIndex(voters, (id) => id === this.id ? this.log.lastIndex() : this.progress.get(id)?.match ?? 0);
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    this.log.commitTo(index);
    this.pendingSend = true;
    if (!isVoter(this.log.membershipAt(this.log.committed), this.id) && this.log.lastConfigIndex() <= this.log.committed) {
      this.stepDownRemoved();
    }
    return true;
  }

  /** stepDownRemoved hands leadership over once the membership that removes this leader commits (dissertation §4.2.2). */
  private stepDownRemoved(): void {
    let best: NodeId | null = null;
    let bestMatch = -1;
    for (const id of this.log.membership().voters) {
      const match = this.progress.get(id)?.match ?? 0;
      if (match > bestMatch) { best = id; bestMatch = match; }
    }
    if (best !== null && bestMatch === this.log.lastIndex()) {
      this.send({ type: 'TimeoutNow', from: this.id, to: best, term: this.term });
    } else {
      this.sendAppends(); // let the others learn the commit before the leader goes quiet
    }
    this.becomeFollower(this.term, null);
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      // Dissertation §6.2 (CheckQuorum): a leader that has not heard from a majority steps down.
      if (this.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, null);
        return;
      }
    }
    if (this.transferee !== null && ++this.transferElapsed >= this.electionTicks) this.transferee = null;
    for (const pr of this.progress.values()) {
      pr.stalledTicks++;
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= 4 * this.electionTicks) pr.becomeProbe();
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      if (this.canQuiesce()) this.quiesceLeader();
      else this.sendHeartbeats();
    }
  }

  /**
   * canQuiesce says whether the group is idle: nothing to commit or hand over,
   * no snapshot on its way, and every member that answered lately has the whole
   * log and was told the commit index; together with the leader they are a
   * majority of the voters. A member that did not answer lately gets the quiet
   * heartbeats too: its first answer wakes the leader, which then catches it up.
   */
  private canQuiesce(): boolean {
    const last = this.log.lastIndex();
    if (!this.quiesce || this.transferee !== null || this.log.committed !== last || this.pendingSend) return false;
    let caughtUp = 0;
    for (const [id, pr] of this.progress) {
      if (pr.state === 'snapshot') return false; // its timeout counts only while awake
      if (!pr.recentActive) continue;
      if (pr.state !== 'replicate' || pr.match !== last || pr.sentCommit !== last) return false;
      if (isVoter(this.log.membership(), id)) caughtUp++;
    }
    return caughtUp + 1 >= Math.floor(this.log.membership().voters.length / 2) + 1;
  }

  /** wakeUp ends quiescence; an awake leader heartbeats at once, unless news is about to go to every follower anyway. */
  private wakeUp(heartbeat: boolean): void {
    if (!this.quiescent) return;
    this.quiescent = false;
    this.quietElapsed = 0;
    this.quietMembers.clear();
    this.electionElapsed = 0;
    if (this.role === 'leader') {
      // CheckQuorum counts again from here, with the answers to the last quiet heartbeats.
      this.heartbeatElapsed = 0;
      if (heartbeat) this.sendHeartbeats();
    }
  }

  /** quiesceLeader sends the quiet heartbeats that quiesce the followers, and remembers who must answer them. */
  private quiesceLeader(): void {
    this.quiescent = true;
    this.quietElapsed = 0;
    this.quietMembers.clear();
    for (const [id, pr] of this.progress) {
      if (pr.recentActive) this.quietMembers.add(id);
      pr.recentActive = false;
    }
    this.sendHeartbeats(true);
  }

  /**
   * tickQuiescent counts toward the next quiet heartbeat (leader) or the quiet
   * timeout (follower). A leader wakes when a member it counted on did not
   * answer the last quiet round; a follower wakes when its leader fell silent.
   */
  private tickQuiescent(): void {
    if (++this.quietElapsed < (this.role === 'leader' ? this.quietHeartbeatTicks : this.quietTimeoutTicks)) return;
    if (this.role !== 'leader') {
      this.wake();
      return;
    }
    for (const id of this.quietMembers) {
      if (this.progress.get(id)?.recentActive !== true) {
        this.wake();
        return;
      }
    }
    this.quietElapsed = 0;
    for (const pr of this.progress.values()) pr.recentActive = false;
    this.sendHeartbeats(true);
  }

  private quorumActive(): boolean {
    let active = 0;
    const voters = this.log.membership().voters;
    for (const id of voters) {
      if (id === this.id || this.progress.get(id)?.recentActive) active++;
    }
    for (const pr of this.progress.values()) pr.recentActive = false;
    return active >= Math.floor(voters.length / 2) + 1;
  }

  private sendHeartbeats(quiet = false): void {
    // A heartbeat carries no entries; its answer lets a waiting probe go out again.
    for (const [to, pr] of this.progress) this.sendEmptyAppend(to, pr, quiet);
  }

  /** sendAppends sends each follower what it lacks, or the new commit index. */
  private sendAppends(): void {
    this.pendingSend = false;
    for (const [to, pr] of this.progress) {
      let sent = false;
      while (!pr.paused() && (pr.next <= this.log.lastIndex() || (pr.state === 'probe' && !sent))) {
        if (!this.sendAppend(to, pr)) break;
        sent = true;
        if (pr.state !== 'replicate') break;
      }
      if (!sent && pr.sentCommit < this.log.committed && pr.state !== 'snapshot') this.sendEmptyAppend(to, pr);
    }
  }

  /** sendAppend sends entries from pr.next, or the snapshot when they are compacted; false when nothing went. */
  private sendAppend(to: NodeId, pr: Progress): boolean {
    const prevLogIndex = pr.next - 1;
    const prevLogTerm = this.log.term(prevLogIndex);
    if (pr.next < this.log.firstIndex() || prevLogTerm === UNKNOWN_TERM) return this.sendSnapshot(to, pr);
    const entries = pr.next <= this.log.lastIndex()
      ? this.log.slice(pr.next, this.maxEntriesPerMessage, this.maxBytesPerMessage)
      : [];
    const leaderCommit = this.log.committed;
    this.send({ type: 'AppendEntries', from: this.id, to, term: this.term, prevLogIndex, prevLogTerm, entries, leaderCommit, quiesce: false });
    pr.sentCommit = leaderCommit;
    pr.sent(prevLogIndex + entries.length, entries.length);
    return true;
  }

  /** sendEmptyAppend sends a heartbeat: no entries, anchored where the follower is known to match. */
  private sendEmptyAppend(to: NodeId, pr: Progress, quiesce = false): void {
    const anchored = this.log.term(pr.match) !== UNKNOWN_TERM;
    const prevLogIndex = anchored ? pr.match : 0;
    const leaderCommit = this.log.committed;
    this.send({ type: 'AppendEntries', from: this.id, to, term: this.term, prevLogIndex,
      prevLogTerm: anchored ? this.log.term(pr.match) : 0, entries: [], leaderCommit, quiesce });
    pr.sentCommit = leaderCommit;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snapshot = this.log.snapshot;
    if (snapshot === null) return false;
    this.send({ type: 'InstallSnapshot', from: this.id, to, term: this.term, snapshot });
    pr.becomeSnapshot(snapshot.index);
    return true;
  }

  /** syncProgress keeps one Progress per member of the latest membership (leader only). */
  private syncProgress(): void {
    if (this.role !== 'leader') return;
    const m = this.log.membership();
    for (const id of members(m)) {
      if (id !== this.id && !this.progress.has(id)) {
        const pr = new Progress(this.log.lastIndex() + 1, this.maxInflightMessages);
        pr.recentActive = true; // a new member gets one CheckQuorum round to answer
        this.progress.set(id, pr);
      }
    }
    for (const id of [...this.progress.keys()]) {
      if (!isMember(m, id)) this.progress.delete(id);
    }
    if (this.transferee !== null && !isVoter(m, this.transferee)) this.transferee = null;
    this.pendingSend = true;
  }

  // ---- Plumbing -----------------------------------------------------------

  private answerStale(m: Message): void {
    // A stale leader or candidate learns the current term from the answer, and steps down.
    if (m.type === 'AppendEntries') {
      this.answerAppend(m.from, false, 0, 0);
    } else if (m.type === 'RequestVote') {
      this.send({ type: 'RequestVoteResponse', from: this.id, to: m.from, term: this.term, voteGranted: false, preVote: m.preVote });
    } else if (m.type === 'InstallSnapshot') {
      this.send({ type: 'InstallSnapshotResponse', from: this.id, to: m.from, term: this.term, matchIndex: this.log.committed });
    }
  }

  private send(m: Message): void {
    this.msgs.push(m);
  }

  private hardState(): HardState {
    return { term: this.term, votedFor: this.votedFor, commitIndex: this.log.committed };
  }

  private hardStateChanged(): boolean {
    const p = this.prevHardState;
    return p.term !== this.term || p.votedFor !== this.votedFor || p.commitIndex !== this.log.committed;
  }
}

/** wellFormed checks that an AppendEntries carries contiguous entries no newer than its term. */
function wellFormed(m: Extract<Message, { type: 'AppendEntries' }>): boolean {
  if (!Number.isSafeInteger(m.prevLogIndex) || m.prevLogIndex < 0 || m.prevLogTerm > m.term) return false;
  let term = m.prevLogTerm;
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i]!;
    if (e.index !== m.prevLogIndex + 1 + i || e.term < term || e.term > m.term) return false;
    if (e.kind === 'config' && !decodesAsMembership(e.data)) return false;
    term = e.term;
  }
  return true;
}

function decodesAsMembership(data: Uint8Array): boolean {
  try {
    decodeMembership(data);
    return true;
  } catch {
    return false;
  }
}

function validSnapshot(s: Snapshot, term: number): boolean {
  return Number.isSafeInteger(s.index) && s.index > 0 && s.term > 0 && s.term <= term &&
    Array.isArray(s.membership?.voters) && Array.isArray(s.membership?.learners);
}


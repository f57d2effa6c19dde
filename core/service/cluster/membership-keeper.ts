// MembershipKeeper looks after the notebook's membership from one member: it
// answers join requests (the leader adds the asker as a learner; a follower
// names the leader), promotes caught-up learners to voters up to maxVoters,
// one change at a time as Raft asks, and keeps a raft stream open to every
// member. It acts on events: a join request, a committed configuration, a
// learner's acknowledgement, a new leader, a member that becomes reachable.
// While a leader has a learner it may promote or a peer waiting to join, it
// also looks again every REVIEW_AGAIN_MS: a checked history once had a
// caught-up learner wait over a minute in a quiet notebook for a review that
// would promote it.
import type { Message, Status } from '../../raft/index.ts';
import { MAX_JOIN_ADDRS, type JoinMember, type JoinResponse, type NotebookNetwork } from '../../net/index.ts';
import type { RaftDriver } from '../raft-driver.ts';
import { isMember, type MemberAddresses } from './member-addresses.ts';
import type { MemberNames } from './member-names.ts';

/** A learner this close to the commit point (in entries) is caught up enough to become a voter. */
const PROMOTION_LAG_ENTRIES = 16;
/** REVIEW_AGAIN_MS is how often a leader reviews while a learner may be promoted or a peer waits to join (none otherwise). */
export const REVIEW_AGAIN_MS = 1_000;

/** MembershipKeeperInit is what a keeper works with. */
export interface MembershipKeeperInit {
  network: NotebookNetwork;
  driver: RaftDriver;
  names: MemberNames;
  addresses: MemberAddresses;
  maxVoters: number;
  log: (line: string) => void;
}

/** MembershipKeeper answers join requests and promotes learners (as leader), and keeps streams to every member. */
export class MembershipKeeper {
  private readonly init: MembershipKeeperInit;
  /** Leader only: peers that asked to join, waiting for the membership change under way to commit. */
  private readonly joinQueue = new Set<string>();
  /** Leader only: learners that may become voters (there is room); an acknowledgement from one may make it promotable. */
  private promotable = new Set<string>();
  private reviewScheduled = false;
  /** Leader only: the next review while a change may be waiting (REVIEW_AGAIN_MS). */
  private reviewAgain: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(init: MembershipKeeperInit) {
    this.init = init;
  }

  /** start answers join requests and opens streams to the members the log names. */
  async start(): Promise<void> {
    await this.init.network.handleJoin((request, from) => this.answerJoin(request.peerId, request.name, request.addrs, from));
    this.membershipChanged();
  }

  /** stop makes no more membership changes. */
  stop(): void {
    this.stopped = true;
    this.joinQueue.clear();
    this.promotable.clear();
    this.planReviewAgain();
  }

  /** membershipChanged keeps a stream to every member of the latest membership, and reviews what may change next. */
  membershipChanged(): void {
    const { raft, peerId } = this.init.network;
    const { membership } = this.init.driver.softState;
    const streams = new Set(raft.peers());
    for (const id of [...membership.voters, ...membership.learners]) {
      if (id !== peerId && !streams.has(id)) raft.addPeer(id);
    }
    this.scheduleReview();
  }

  /** onRaftMessage sees each Raft message this peer received: a learner's acknowledgement may let the leader promote it at once. */
  onRaftMessage(message: Message): void {
    if (message.type === 'AppendEntriesResponse' && this.promotable.has(message.from)) this.scheduleReview();
  }

  /** onLeaderChanged reviews the membership when this peer becomes leader (or stops being it). */
  onLeaderChanged(): void {
    this.scheduleReview();
  }

  /** onReachable reviews when a member's stream opens: a caught-up learner is promoted only once reachable. */
  onReachable(): void {
    if (this.promotable.size > 0) this.scheduleReview();
  }

  // ---- Join requests --------------------------------------------------------

  private async answerJoin(peerId: string, name: string, addrs: string[], from: string): Promise<JoinResponse> {
    const { network, driver, names } = this.init;
    if (peerId !== from) return { ok: false, reason: 'peer id does not match the connection' };
    const status = driver.node.status();
    // A newcomer itself knows no member yet: it says so, and names nobody the asker should dial.
    if (status.membership.voters.length === 0) return { ok: false, reason: 'not-a-member' };
    names.set(peerId, name);
    network.raft.addPeer(peerId, addrs);
    if (isMember(status, peerId)) return { ok: true, ...await this.leaderAndMembers(status) };
    if (status.role !== 'leader') return { ok: false, reason: 'not-leader', ...await this.leaderAndMembers(status) };
    // One membership change at a time: a request that finds one under way waits in line.
    this.joinQueue.add(peerId);
    this.addQueued();
    return { ok: true, ...await this.leaderAndMembers(driver.node.status()) };
  }

  /** addQueued adds the first peer waiting to join as a learner, when no other change is under way. */
  private addQueued(): void {
    const { driver, names } = this.init;
    for (const id of this.joinQueue) {
      const status = driver.node.status();
      if (status.role !== 'leader') {
        this.joinQueue.clear();
        return;
      }
      if (isMember(status, id)) {
        this.joinQueue.delete(id);
        continue;
      }
      const result = driver.changeMembership({ type: 'addLearner', id });
      if (result.ok) {
        this.joinQueue.delete(id);
        this.init.log(`${names.label(id)} joins as a learner`);
      }
      return;
    }
  }

  /** leaderAndMembers tells a joining peer who leads and where every member listens. */
  private async leaderAndMembers(status: Status): Promise<{ leaderId?: string; members: JoinMember[] }> {
    const addrs = await this.init.addresses.of(status);
    const members: JoinMember[] = [];
    const push = (id: string, voter: boolean) => {
      const name = this.init.names.get(id);
      members.push({ id, voter, addrs: (addrs[id] ?? []).slice(0, MAX_JOIN_ADDRS), ...(name !== undefined ? { name } : {}) });
    };
    for (const id of status.membership.voters) push(id, true);
    for (const id of status.membership.learners) push(id, false);
    return { ...(status.leaderId !== null ? { leaderId: status.leaderId } : {}), members };
  }

  // ---- Promotion --------------------------------------------------------------

  /**
   * scheduleReview runs reviewMembership once the current Ready batch is done:
   * joins and promotions follow commits and acknowledgements as they happen
   * (Raft still takes one change at a time).
   */
  private scheduleReview(): void {
    if (this.reviewScheduled || this.stopped) return;
    this.reviewScheduled = true;
    setImmediate(() => {
      this.reviewScheduled = false;
      if (!this.stopped) this.reviewMembership(this.init.driver.node.status());
    });
  }

  /** reviewMembership (leader only) promotes a caught-up learner, else adds the next peer waiting to join. */
  private reviewMembership(status: Status): void {
    if (status.role !== 'leader') {
      this.joinQueue.clear();
      this.promotable.clear();
      this.planReviewAgain();
      return;
    }
    this.maybePromote(status);
    this.addQueued();
    this.promotable = status.membership.voters.length < this.init.maxVoters ? new Set(status.membership.learners) : new Set();
    this.planReviewAgain();
  }

  /** planReviewAgain keeps one timer for the next review while a learner may be promoted or a peer waits to join, and none otherwise. */
  private planReviewAgain(): void {
    const waiting = !this.stopped && (this.promotable.size > 0 || this.joinQueue.size > 0);
    if (!waiting) {
      if (this.reviewAgain !== null) clearTimeout(this.reviewAgain);
      this.reviewAgain = null;
    } else if (this.reviewAgain === null) {
      this.reviewAgain = setTimeout(() => {
        this.reviewAgain = null;
        this.scheduleReview();
      }, REVIEW_AGAIN_MS);
      this.reviewAgain.unref();
    }
  }

  /**
   * maybePromote makes a caught-up learner a voter while there are fewer than
   * maxVoters (one change at a time). Caught up means it acknowledged entries
   * up to within PROMOTION_LAG_ENTRIES of the commit point (dissertation
   * §4.2.1: the rest reaches it in one round): when several peers join at
   * once, each learner added moves the commit point, and a learner asked to
   * match it exactly would chase it until the last one was added.
   */
  private maybePromote(status: Status): void {
    const { driver, network, names } = this.init;
    if (status.membership.voters.length >= this.init.maxVoters || status.progress === null) return;
    for (const id of status.membership.learners) {
      const progress = status.progress[id];
      if (progress === undefined || progress.matchIndex === 0 || progress.matchIndex + PROMOTION_LAG_ENTRIES < status.commitIndex
        || !network.raft.isReachable(id)) continue;
      const result = driver.changeMembership({ type: 'addVoter', id });
      if (result.ok) this.init.log(`${names.label(id)} caught up and becomes a voter`);
      return;
    }
  }
}

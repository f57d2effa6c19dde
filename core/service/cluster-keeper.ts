// ClusterKeeper looks after the notebook's membership from one peer: it answers
// join requests (the leader adds the asker as a learner), asks to join while
// this peer is not a member yet, promotes caught-up learners to voters (up to
// maxVoters), keeps a raft stream to every member, polls the members' own
// status for the cluster view, and hands leadership over before a stop.
import { setTimeout as sleep } from 'node:timers/promises';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Message, Status } from '../raft/index.ts';
import { MAX_JOIN_ADDRS, type JoinMember, type JoinResponse, type Peer, type StatusRecord } from '../net/index.ts';
import { Backoff } from '../net/backoff.ts';
import type { Discoverability } from '../net/lan-discovery.ts';
import type { RaftDriver } from './raft-driver.ts';
import { MEMBER_ROLES, type Member, type MemberRole } from './views.ts';

/** ClusterKeeperInit is what a keeper works with. */
export interface ClusterKeeperInit {
  peer: Peer;
  driver: RaftDriver;
  name: string;
  maxVoters: number;
  /** Where to ask to join first: the invite's addresses and the --peer ones. */
  joinTargets: string[];
  /** Whether this peer shows itself on mDNS: set while it is a member of the notebook. */
  discoverability?: Discoverability;
  log: (line: string) => void;
}

/** How often a peer whose request the leader accepted asks again while the leader's log has not reached it. */
const JOIN_RETRY_MS = 1_000;
/**
 * The first pause before asking again a peer that could not add this one: short,
 * because at a cold start the member may still be electing itself or registering
 * its join handler; then it doubles, up to JOIN_RETRY_MAX_MS.
 */
const JOIN_RETRY_MIN_MS = 250;
/** The longest pause before asking again a peer that could not add this one (a newcomer too, or unreachable). */
const JOIN_RETRY_MAX_MS = 8_000;
/** How long one join request may take (dial, handshake, answer). */
const JOIN_TIMEOUT_MS = 5_000;
/** At most this many peers are asked to join at once. */
const MAX_JOIN_ASKS = 8;
/** A learner this close to the commit point (in entries) is caught up enough to become a voter. */
const PROMOTION_LAG_ENTRIES = 16;
const STATUS_POLL_MS = 500;
const STATUS_TIMEOUT_MS = 1_000;
/** How often a member heard from over Raft is polled anyway (its record stays fresh in members()). */
const STATUS_REFRESH_MS = 1_500;
/** How long the addresses in this peer's status answers are reused. */
const STATUS_ADDRS_MS = 2_000;
const HANDOVER_WAIT_MS = 1_500;
const SILENT_POLLS_BEFORE_HANGUP = 3;

/** ClusterKeeper manages membership and the cluster view of one peer. */
export class ClusterKeeper {
  private readonly init: ClusterKeeperInit;
  private readonly names = new Map<string, string>();
  private readonly remote = new Map<string, { role: MemberRole; term: number; at: number }>();
  /** Where to ask to join next: a peer id or a multiaddr. */
  private joinTargets: string[] = [];
  /** Join requests in flight, by target. */
  private readonly asking = new Set<string>();
  /** When each target that was asked to join may be asked again. */
  private readonly askAgainAt = new Map<string, { at: number; backoff: Backoff }>();
  /** The leader that last accepted this peer's join request or was named in an answer; asked alone while set. */
  private leaderHint: string | null = null;
  private lastPollAt = 0;
  private polling = false;
  private readonly discovered = new Set<string>();
  /** The addresses learned for each member, so known ones are not stored again. */
  private readonly learned = new Map<string, Set<string>>();
  /** Raft frames received from each member as of the last poll round, and the term and leader then. */
  private readonly framesAtPoll = new Map<string, number>();
  private polledTerm = -1;
  private polledLeader: string | null = null;
  /** The addresses of the last status answer, while reusable (statusAddrs). */
  private keptAddrs: { at: number; members: string; addrs: Promise<Record<string, string[]>> } | null = null;
  /** Consecutive status polls each member did not answer. */
  private readonly silent = new Map<string, number>();
  /** Leader only: peers that asked to join while another membership change was under way. */
  private readonly joinQueue = new Set<string>();
  /** Leader only: learners that may become voters (there is room); an acknowledgement from one may make it promotable. */
  private promotable = new Set<string>();
  private reviewScheduled = false;

  constructor(init: ClusterKeeperInit) {
    this.init = init;
    this.names.set(init.peer.peerId, init.name);
    this.joinTargets = [...init.joinTargets];
  }

  async start(): Promise<void> {
    const { peer } = this.init;
    peer.addEventListener('peer:discovered', (evt) => this.found(evt.detail.peerId));
    peer.addEventListener('peer:connected', (evt) => this.found(evt.detail));
    // mDNS starts with the peer, before this keeper: what it found meanwhile is in the peer store.
    for (const p of await peer.libp2p.peerStore.all()) {
      const id = p.id.toString();
      if (id !== peer.peerId) this.discovered.add(id);
    }
    await peer.handleJoin((request, from) => this.answerJoin(request.peerId, request.name, request.addrs, from));
    await peer.handleStatus(() => this.ownStatus());
  }

  async stop(): Promise<void> {
    this.joinTargets = [];
  }

  /** tick runs every 100 ms. */
  tick(): void {
    const status = this.init.driver.node.status();
    this.syncStreams(status);
    // A joining peer starts as a learner of a group whose voters it does not know;
    // it knows them once the leader's log reaches it.
    if (status.membership.voters.length === 0) this.maybeJoin();
    this.init.discoverability?.set(status.membership.voters.length > 0);
    this.reviewMembership(status);
    if (Date.now() - this.lastPollAt >= STATUS_POLL_MS) void this.poll(status);
  }

  /** members is the cluster view: one row per member of the latest membership. */
  members(status: Status): Member[] {
    const { peer } = this.init;
    const rows: Member[] = [];
    const add = (id: string, voter: boolean) => {
      const self = id === peer.peerId;
      const seen = this.remote.get(id);
      const fresh = seen !== undefined && Date.now() - seen.at < 3 * STATUS_POLL_MS + STATUS_TIMEOUT_MS;
      rows.push({
        id,
        name: this.names.get(id) ?? id.slice(-8),
        voter,
        role: self ? status.role : fresh ? seen.role : 'unknown',
        term: self ? status.term : seen?.term ?? 0,
        reachable: self || (!peer.isolated && peer.raft.isReachable(id)),
        matchIndex: status.progress?.[id]?.matchIndex ?? null,
      });
    };
    for (const id of status.membership.voters) add(id, true);
    for (const id of status.membership.learners) add(id, false);
    return rows;
  }

  /** handOver transfers leadership to the most caught-up voter and waits for it to take over. */
  async handOver(): Promise<void> {
    const { driver } = this.init;
    const status = driver.node.status();
    if (status.role !== 'leader' || status.progress === null) return;
    let best: string | null = null;
    let bestMatch = -1;
    for (const id of status.membership.voters) {
      if (id === status.id) continue;
      const match = status.progress[id]?.matchIndex ?? 0;
      if (match > bestMatch) { best = id; bestMatch = match; }
    }
    if (best === null) return;
    this.init.log(`handing leadership to ${this.names.get(best) ?? best} before stopping`);
    await this.transfer(best);
  }

  /** transfer hands leadership to voter `to` and waits for this peer to step down; it returns the leader then known. */
  async transfer(to: string): Promise<string | null> {
    const { driver } = this.init;
    driver.transferLeadership(to);
    const deadline = Date.now() + HANDOVER_WAIT_MS;
    while (Date.now() < deadline && driver.node.status().role === 'leader') await sleep(10);
    return driver.node.status().leaderId;
  }

  // ---- Joining -------------------------------------------------------------

  private async answerJoin(peerId: string, name: string, addrs: string[], from: string): Promise<JoinResponse> {
    const { peer, driver } = this.init;
    if (peerId !== from) return { ok: false, reason: 'peer id does not match the connection' };
    const status = driver.node.status();
    // A newcomer itself knows no member yet: it says so, and names nobody the asker should dial.
    if (status.membership.voters.length === 0) return { ok: false, reason: 'not-a-member' };
    if (name.length > 0) this.names.set(peerId, name);
    peer.raft.addPeer(peerId, addrs);
    if (isMember(status, peerId)) return { ok: true, ...await this.leaderAndMembers(status) };
    if (status.role !== 'leader') return { ok: false, reason: 'not-leader', ...await this.leaderAndMembers(status) };
    // One membership change at a time: a request that finds one under way waits in line.
    this.joinQueue.add(peerId);
    this.addQueued();
    return { ok: true, ...await this.leaderAndMembers(driver.node.status()) };
  }

  /** addQueued adds the first peer waiting to join as a learner, when no other change is under way. */
  private addQueued(): void {
    const { driver } = this.init;
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
        this.init.log(`${this.names.get(id) ?? id} joins as a learner`);
      }
      return;
    }
  }

  /** leaderAndMembers tells a joining peer who leads and where every member listens. */
  private async leaderAndMembers(status: Status): Promise<{ leaderId?: string; members: JoinMember[] }> {
    const addrs = await this.memberAddrs(status);
    const members: JoinMember[] = [];
    const push = (id: string, voter: boolean) => members.push({ id, voter, addrs: (addrs[id] ?? []).slice(0, MAX_JOIN_ADDRS),
      ...(this.names.has(id) ? { name: this.names.get(id)! } : {}) });
    for (const id of status.membership.voters) push(id, true);
    for (const id of status.membership.learners) push(id, false);
    return { ...(status.leaderId !== null ? { leaderId: status.leaderId } : {}), members };
  }

  /** memberAddrs is where each member listens, as far as this peer knows. */
  private async memberAddrs(status: Status): Promise<Record<string, string[]>> {
    const { peer } = this.init;
    const out: Record<string, string[]> = {};
    for (const id of [...status.membership.voters, ...status.membership.learners]) {
      out[id] = id === peer.peerId ? peer.addrs() : await peer.addrsOf(id);
    }
    return out;
  }

  /** learnAddrs keeps a stream to each member another peer told us the addresses of. */
  private learnAddrs(addrs: Record<string, unknown>): void {
    const { peer } = this.init;
    const status = this.init.driver.node.status();
    for (const [id, list] of Object.entries(addrs)) {
      if (id === peer.peerId || !isMember(status, id) || !Array.isArray(list)) continue;
      const valid = list.filter((a): a is string => typeof a === 'string' && a.startsWith('/')).slice(0, MAX_JOIN_ADDRS);
      // Members may list different addresses for one peer: store only news, or polls would store them in turn.
      const known = this.learned.get(id) ?? new Set<string>();
      if (valid.length === 0 || valid.every((a) => known.has(a))) continue; // the peer store has them already
      try {
        peer.raft.addPeer(id, valid);
        for (const a of valid) known.add(a);
        if (known.size > 4 * MAX_JOIN_ADDRS) known.clear(); // bounded; storing again is only a cost
        this.learned.set(id, known);
      } catch {
        // a malformed address from another peer is ignored
      }
    }
  }

  /** found notes a peer of the notebook: while this peer is not a member yet, it asks the newcomer at once. */
  private found(id: string): void {
    this.discovered.add(id);
    if (this.init.driver.node.status().membership.voters.length === 0) this.maybeJoin();
  }

  /**
   * maybeJoin asks to be added until the log says this peer is a member.
   * While no leader is known it asks every peer it knows (the invite's and
   * --peer addresses, mDNS finds, connections), each on its own, so a peer
   * that answers slowly holds up no other (newcomers keep quiet on mDNS, but
   * one may still be met through a connection, and only a member can help). A
   * peer that could not help is asked again after a delay that doubles from
   * JOIN_RETRY_MIN_MS up to JOIN_RETRY_MAX_MS, so newcomers without a member in
   * sight do not flood each other. Once a leader accepted or was named, that
   * one alone is asked, every JOIN_RETRY_MS until its log arrives.
   */
  private maybeJoin(): void {
    const { peer } = this.init;
    if (peer.isolated) return;
    const now = Date.now();
    const known = this.leaderHint !== null ? [this.leaderHint]
      : [...this.joinTargets, ...this.discovered, ...peer.libp2p.getPeers().map((p) => p.toString())];
    const due = known.filter((t, i, all) => t !== peer.peerId && all.indexOf(t) === i && !this.asking.has(t)
      && now >= (this.askAgainAt.get(t)?.at ?? 0));
    for (const target of due.slice(0, Math.max(0, MAX_JOIN_ASKS - this.asking.size))) void this.askToJoin(target);
  }

  /** askToJoin sends one join request to `target` (peer id or multiaddr) and takes in what the answer tells. */
  private async askToJoin(target: string): Promise<void> {
    const { peer } = this.init;
    this.asking.add(target);
    const retry = this.askAgainAt.get(target) ?? { at: 0, backoff: new Backoff({ minMs: JOIN_RETRY_MIN_MS, maxMs: JOIN_RETRY_MAX_MS }) };
    this.askAgainAt.set(target, retry);
    let answer: JoinResponse;
    try {
      answer = await peer.requestJoin(target, { signal: AbortSignal.timeout(JOIN_TIMEOUT_MS) });
    } catch (error) {
      this.init.log(`asking ${this.names.get(target) ?? target} to join failed: ${(error as Error).message}`);
      retry.at = Date.now() + retry.backoff.next();
      if (this.leaderHint === target) this.leaderHint = null; // a leader that does not answer may be gone: ask everyone again
      return;
    } finally {
      this.asking.delete(target);
    }
    for (const m of answer.members ?? []) {
      if (m.name !== undefined) this.names.set(m.id, m.name);
      if (m.addrs.length > 0 && m.id !== peer.peerId) peer.raft.addPeer(m.id, m.addrs);
    }
    if (answer.ok) {
      // Accepted: the leader's log will make this peer a learner; until then, ask the leader alone, once a second.
      retry.backoff.reset();
      retry.at = Date.now() + JOIN_RETRY_MS;
      this.leaderHint = answer.leaderId ?? target;
      if (answer.leaderId !== undefined) peer.raft.addPeer(answer.leaderId);
      return;
    }
    retry.at = Date.now() + retry.backoff.next();
    if (answer.leaderId !== undefined && answer.leaderId !== target) {
      // A follower named the leader: ask it now.
      this.leaderHint = answer.leaderId;
      if (!this.asking.has(answer.leaderId)) {
        this.askAgainAt.delete(answer.leaderId);
        void this.askToJoin(answer.leaderId);
      }
    } else if (this.leaderHint === target) {
      this.leaderHint = null;
    }
  }

  // ---- Leader duties -------------------------------------------------------

  /** onRaftMessage sees each Raft message this peer received: a learner's acknowledgement may let the leader promote it at once. */
  onRaftMessage(message: Message): void {
    if (message.type === 'AppendEntriesResponse' && this.promotable.has(message.from)) this.scheduleReview();
  }

  /** onMembershipCommitted is told that a configuration entry committed: the next membership change may start at once. */
  onMembershipCommitted(): void {
    this.scheduleReview();
  }

  /**
   * scheduleReview runs reviewMembership once the current Ready batch is done:
   * joins and promotions follow commits and acknowledgements as they happen
   * instead of waiting for the next tick (Raft still takes one change at a time).
   */
  private scheduleReview(): void {
    if (this.reviewScheduled) return;
    this.reviewScheduled = true;
    setImmediate(() => {
      this.reviewScheduled = false;
      this.reviewMembership(this.init.driver.node.status());
    });
  }

  /** reviewMembership (leader only) promotes a caught-up learner, else adds the next peer waiting to join. */
  private reviewMembership(status: Status): void {
    if (status.role !== 'leader') {
      this.joinQueue.clear();
      this.promotable.clear();
      return;
    }
    this.maybePromote(status);
    this.addQueued();
    this.promotable = status.membership.voters.length < this.init.maxVoters ? new Set(status.membership.learners) : new Set();
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
    if (status.membership.voters.length >= this.init.maxVoters || status.progress === null) return;
    for (const id of status.membership.learners) {
      const progress = status.progress[id];
      if (progress === undefined || progress.matchIndex === 0 || progress.matchIndex + PROMOTION_LAG_ENTRIES < status.commitIndex
        || !this.init.peer.raft.isReachable(id)) continue;
      const result = this.init.driver.changeMembership({ type: 'addVoter', id });
      if (result.ok) this.init.log(`${this.names.get(id) ?? id} caught up and becomes a voter`);
      return;
    }
  }

  // ---- Streams and the cluster view ---------------------------------------

  private syncStreams(status: Status): void {
    const { raft } = this.init.peer;
    const members = new Set([...status.membership.voters, ...status.membership.learners]);
    members.delete(this.init.peer.peerId);
    for (const id of members) if (!raft.peers().includes(id)) raft.addPeer(id);
  }

  private async ownStatus(): Promise<StatusRecord> {
    const s = this.init.driver.node.status();
    return { name: this.init.name, role: s.role, term: s.term, leaderId: s.leaderId, commitIndex: s.commitIndex, lastIndex: s.lastIndex,
      addrs: await this.statusAddrs(s) };
  }

  /**
   * statusAddrs is memberAddrs for status answers, kept up to STATUS_ADDRS_MS while the
   * membership stays and every member has addresses: reading them from libp2p cost more
   * than the rest of an answer (10% of an idle leader's CPU, polled four times a second).
   */
  private statusAddrs(status: Status): Promise<Record<string, string[]>> {
    const members = [...status.membership.voters, ...status.membership.learners].join(' ');
    const kept = this.keptAddrs;
    if (kept !== null && kept.members === members && Date.now() - kept.at < STATUS_ADDRS_MS) return kept.addrs;
    const addrs = this.memberAddrs(status);
    this.keptAddrs = null;
    void addrs.then((all) => {
      if (Object.values(all).every((list) => list.length > 0)) this.keptAddrs = { at: Date.now(), members, addrs };
    }, () => {});
    return addrs;
  }

  private async poll(status: Status): Promise<void> {
    if (this.polling || this.init.peer.isolated) return;
    this.polling = true;
    this.lastPollAt = Date.now();
    const others = [...status.membership.voters, ...status.membership.learners].filter((id) => id !== this.init.peer.peerId);
    // Raft frames from a member since the last round show its connection alive (the leader and its
    // followers hear each other every heartbeat): while nothing changed here, its record is refreshed
    // only every STATUS_REFRESH_MS. Followers do not talk to each other, so they poll each other each round.
    const heard = this.init.peer.raft.stats().peers;
    const changed = status.term !== this.polledTerm || status.leaderId !== this.polledLeader;
    this.polledTerm = status.term;
    this.polledLeader = status.leaderId;
    await Promise.all(others.map(async (id) => {
      if (!this.init.peer.raft.isReachable(id)) return;
      const frames = heard[id]?.receivedFrames ?? 0;
      const heardFrom = frames > (this.framesAtPoll.get(id) ?? frames);
      this.framesAtPoll.set(id, frames);
      const seen = this.remote.get(id);
      if (!changed && heardFrom && seen !== undefined && Date.now() - seen.at < STATUS_REFRESH_MS) {
        this.silent.delete(id);
        return;
      }
      try {
        const record = await this.init.peer.fetchStatus(id, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
        this.silent.delete(id);
        if (typeof record['name'] === 'string') this.names.set(id, record['name']);
        const addrs = record['addrs'];
        if (typeof addrs === 'object' && addrs !== null) this.learnAddrs(addrs as Record<string, unknown>);
        this.remote.set(id, { role: remoteRole(record['role']), term: remoteTerm(record['term']), at: Date.now() });
      } catch {
        // A connection cut at a switch sends no reset, and TCP retries ever more slowly:
        // after a few unanswered polls, drop the connection so the redial loop takes over.
        const misses = (this.silent.get(id) ?? 0) + 1;
        this.silent.set(id, misses);
        if (misses >= SILENT_POLLS_BEFORE_HANGUP) {
          this.silent.delete(id);
          this.init.log(`no answer from ${this.names.get(id) ?? id}; reconnecting`);
          await this.init.peer.libp2p.hangUp(peerIdFromString(id)).catch(() => {});
        }
      }
    }));
    this.polling = false;
  }
}

function isMember(status: Status, id: string): boolean {
  return status.membership.voters.includes(id) || status.membership.learners.includes(id);
}

/** remoteRole is the role another peer's status reports, or 'unknown' for anything else it might send. */
function remoteRole(value: unknown): MemberRole {
  return (MEMBER_ROLES as readonly unknown[]).includes(value) ? value as MemberRole : 'unknown';
}

/** remoteTerm is the term another peer's status reports, or 0 when it is not a whole number from 0. */
function remoteTerm(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

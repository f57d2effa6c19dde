// ClusterKeeper looks after the notebook's membership from one peer: it answers
// join requests (the leader adds the asker as a learner), asks to join while
// this peer is not a member yet, promotes caught-up learners to voters (up to
// maxVoters), keeps a raft stream to every member, polls the members' own
// status for the cluster view, and hands leadership over before a stop.
import { setTimeout as sleep } from 'node:timers/promises';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Status } from '../raft/index.ts';
import { MAX_JOIN_ADDRS, type JoinMember, type JoinResponse, type Peer, type StatusRecord } from '../net/index.ts';
import type { RaftDriver } from './raft-driver.ts';
import type { MemberView } from './notes-service.ts';

/** ClusterKeeperInit is what a keeper works with. */
export interface ClusterKeeperInit {
  peer: Peer;
  driver: RaftDriver;
  name: string;
  maxVoters: number;
  /** Where to ask to join first: the invite's addresses and the --peer ones. */
  joinTargets: string[];
  log: (line: string) => void;
}

const JOIN_RETRY_MS = 1_000;
const STATUS_POLL_MS = 500;
const STATUS_TIMEOUT_MS = 1_000;
const HANDOVER_WAIT_MS = 1_500;
const SILENT_POLLS_BEFORE_HANGUP = 3;

/** ClusterKeeper manages membership and the cluster view of one peer. */
export class ClusterKeeper {
  private readonly init: ClusterKeeperInit;
  private readonly names = new Map<string, string>();
  private readonly remote = new Map<string, { role: string; term: number; at: number }>();
  /** Where to ask to join next: a peer id or a multiaddr. */
  private joinTargets: string[] = [];
  private joining = false;
  private lastJoinAt = 0;
  private lastPollAt = 0;
  private polling = false;
  private readonly discovered = new Set<string>();
  /** The addresses last learned for each member, so unchanged ones are not stored again. */
  private readonly learned = new Map<string, string>();
  /** Consecutive status polls each member did not answer. */
  private readonly silent = new Map<string, number>();
  /** Leader only: peers that asked to join while another membership change was under way. */
  private readonly joinQueue = new Set<string>();

  constructor(init: ClusterKeeperInit) {
    this.init = init;
    this.names.set(init.peer.peerId, init.name);
    this.joinTargets = [...init.joinTargets];
  }

  async start(): Promise<void> {
    const { peer } = this.init;
    peer.addEventListener('peer:discovered', (evt) => this.discovered.add(evt.detail.peerId));
    peer.addEventListener('peer:connected', (evt) => this.discovered.add(evt.detail));
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
    if (status.role === 'leader') {
      this.maybePromote(status);
      this.addQueued();
    } else {
      this.joinQueue.clear();
    }
    if (Date.now() - this.lastPollAt >= STATUS_POLL_MS) void this.poll(status);
  }

  /** members is the cluster view: one row per member of the latest membership. */
  members(status: Status): MemberView[] {
    const { peer } = this.init;
    const rows: MemberView[] = [];
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
    if (name.length > 0) this.names.set(peerId, name);
    peer.raft.addPeer(peerId, addrs);
    const status = driver.node.status();
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
      const key = valid.join(' ');
      if (valid.length === 0 || this.learned.get(id) === key) continue; // the peer store has them already
      try {
        peer.raft.addPeer(id, valid);
        this.learned.set(id, key);
      } catch {
        // a malformed address from another peer is ignored
      }
    }
  }

  /** maybeJoin asks a known peer to add this one, once a second, until the log says it is a member. */
  private maybeJoin(): void {
    const { peer } = this.init;
    if (this.joining || peer.isolated || Date.now() - this.lastJoinAt < JOIN_RETRY_MS) return;
    const targets = [...this.joinTargets, ...this.discovered, ...peer.libp2p.getPeers().map((p) => p.toString())]
      .filter((t, i, all) => t !== peer.peerId && all.indexOf(t) === i);
    const target = targets[0];
    if (target === undefined) return;
    this.joining = true;
    this.lastJoinAt = Date.now();
    void peer.requestJoin(target, { signal: AbortSignal.timeout(2_000) }).then((answer) => {
      for (const m of answer.members ?? []) {
        if (m.name !== undefined) this.names.set(m.id, m.name);
        if (m.addrs.length > 0 && m.id !== peer.peerId) peer.raft.addPeer(m.id, m.addrs);
      }
      if (answer.ok) {
        this.joinTargets = [];
        if (answer.leaderId !== undefined) peer.raft.addPeer(answer.leaderId);
      } else if (answer.leaderId !== undefined && answer.leaderId !== target) {
        this.joinTargets = [answer.leaderId];
        this.lastJoinAt = 0;
      } else {
        this.rotate(target);
      }
    }, (error: Error) => {
      this.init.log(`asking ${target} to join failed: ${error.message}`);
      this.rotate(target);
    }).finally(() => { this.joining = false; });
  }

  /** rotate moves a target that did not help to the back of the line. */
  private rotate(target: string): void {
    if (this.joinTargets.includes(target)) {
      this.joinTargets = [...this.joinTargets.filter((t) => t !== target), target];
    } else {
      this.discovered.delete(target);
      this.discovered.add(target);
    }
  }

  // ---- Leader duties -------------------------------------------------------

  /** maybePromote makes a caught-up learner a voter while there are fewer than maxVoters (one change at a time). */
  private maybePromote(status: Status): void {
    if (status.membership.voters.length >= this.init.maxVoters || status.progress === null) return;
    for (const id of status.membership.learners) {
      const progress = status.progress[id];
      if (progress === undefined || progress.matchIndex < status.commitIndex || !this.init.peer.raft.isReachable(id)) continue;
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
      addrs: await this.memberAddrs(s) };
  }

  private async poll(status: Status): Promise<void> {
    if (this.polling || this.init.peer.isolated) return;
    this.polling = true;
    this.lastPollAt = Date.now();
    const others = [...status.membership.voters, ...status.membership.learners].filter((id) => id !== this.init.peer.peerId);
    await Promise.all(others.map(async (id) => {
      if (!this.init.peer.raft.isReachable(id)) return;
      try {
        const record = await this.init.peer.fetchStatus(id, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
        this.silent.delete(id);
        if (typeof record['name'] === 'string') this.names.set(id, record['name']);
        const addrs = record['addrs'];
        if (typeof addrs === 'object' && addrs !== null) this.learnAddrs(addrs as Record<string, unknown>);
        this.remote.set(id, { role: String(record['role']), term: Number(record['term']) || 0, at: Date.now() });
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

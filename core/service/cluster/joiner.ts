// Joiner asks to be added to the notebook while this peer is not a member yet
// (a peer that joined with an invite starts as a learner of a group whose
// members it does not know; the leader's log tells it). While no leader is
// known it asks every peer it knows (the invite's and --peer addresses, mDNS
// finds, connections), each on its own, so a peer that answers slowly holds
// up no other (newcomers keep quiet on mDNS, but one may still be met through
// a connection, and only a member can help). A peer that could not help is
// asked again after a delay that doubles from JOIN_RETRY_MIN_MS up to
// JOIN_RETRY_MAX_MS, so newcomers without a member in sight do not flood each
// other. Once a leader accepted or was named, that one alone is asked, every
// JOIN_RETRY_MS until its log arrives. The running notebook stops the joiner
// once the log makes this peer a member.
import { Backoff } from '../../net/backoff.ts';
import type { DiscoveredPeer, JoinResponse, NotebookNetwork } from '../../net/index.ts';
import type { Clock } from '../clock.ts';
import type { MemberNames } from './member-names.ts';

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

/** JoinerInit is what a joiner works with. */
export interface JoinerInit {
  network: NotebookNetwork;
  clock: Clock;
  names: MemberNames;
  /** Where to ask first: the invite's addresses and the --peer ones. */
  targets: string[];
  log: (line: string) => void;
}

/** Joiner asks the notebook's peers to add this one, until stopped. */
export class Joiner {
  private readonly init: JoinerInit;
  /** Peers of the notebook found so far (peer ids). */
  private readonly discovered = new Set<string>();
  /** Join requests in flight, by target. */
  private readonly asking = new Set<string>();
  /** When each target that was asked may be asked again. */
  private readonly askAgainAt = new Map<string, { at: number; backoff: Backoff }>();
  /** The leader that last accepted this peer's request or was named in an answer; asked alone while set. */
  private leaderHint: string | null = null;
  /** The one timer: set for the moment the next target may be asked again. */
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly onDiscovered = (evt: CustomEvent<DiscoveredPeer>) => this.found(evt.detail.peerId);
  private readonly onConnected = (evt: CustomEvent<string>) => this.found(evt.detail);

  constructor(init: JoinerInit) {
    this.init = init;
  }

  /** start asks every peer known so far, and each one found later. */
  async start(): Promise<void> {
    const { network } = this.init;
    network.addEventListener('peer:discovered', this.onDiscovered);
    network.addEventListener('peer:connected', this.onConnected);
    // Discovery starts with the network, before the joiner: what it found meanwhile is known already.
    for (const id of await network.knownPeers()) this.discovered.add(id);
    this.maybeJoin();
  }

  /** stop asks no more (answers still under way are ignored). */
  stop(): void {
    this.stopped = true;
    const { network } = this.init;
    network.removeEventListener('peer:discovered', this.onDiscovered);
    network.removeEventListener('peer:connected', this.onConnected);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private found(id: string): void {
    if (id === this.init.network.peerId) return;
    this.discovered.add(id);
    this.maybeJoin();
  }

  /** maybeJoin asks each known target that is due, then sets the timer for the next one (see the top of this file). */
  private maybeJoin(): void {
    const { network, clock } = this.init;
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const now = clock.now();
    const known = this.leaderHint !== null ? [this.leaderHint] : [...new Set([...this.init.targets, ...this.discovered])];
    const waiting = known.filter((t) => t !== network.peerId && !this.asking.has(t));
    const due = network.isolated ? [] : waiting.filter((t) => now >= (this.askAgainAt.get(t)?.at ?? 0));
    for (const target of due.slice(0, Math.max(0, MAX_JOIN_ASKS - this.asking.size))) void this.askToJoin(target);
    const later = waiting.filter((t) => !this.asking.has(t)).map((t) => this.askAgainAt.get(t)?.at ?? now);
    if (later.length === 0) return;
    this.timer = setTimeout(() => this.maybeJoin(), Math.max(JOIN_RETRY_MIN_MS, Math.min(...later) - now));
  }

  /** askToJoin sends one join request to `target` (peer id or multiaddr) and takes in what the answer tells. */
  private async askToJoin(target: string): Promise<void> {
    const { network, clock, names } = this.init;
    this.asking.add(target);
    const retry = this.askAgainAt.get(target) ?? { at: 0, backoff: new Backoff({ minMs: JOIN_RETRY_MIN_MS, maxMs: JOIN_RETRY_MAX_MS }) };
    this.askAgainAt.set(target, retry);
    let answer: JoinResponse;
    try {
      answer = await network.requestJoin(target, { signal: AbortSignal.timeout(JOIN_TIMEOUT_MS) });
    } catch (error) {
      if (!this.stopped) this.init.log(`asking ${names.label(target)} to join failed: ${(error as Error).message}`);
      retry.at = clock.now() + retry.backoff.next();
      if (this.leaderHint === target) this.leaderHint = null; // a leader that does not answer may be gone: ask everyone again
      this.asking.delete(target);
      this.maybeJoin();
      return;
    }
    this.asking.delete(target);
    if (this.stopped) return;
    for (const m of answer.members ?? []) {
      if (m.name !== undefined) names.set(m.id, m.name);
      if (m.addrs.length > 0 && m.id !== network.peerId) network.raft.addPeer(m.id, m.addrs);
    }
    if (answer.ok) {
      // Accepted: the leader's log will make this peer a learner; until then, ask the leader alone, once a second.
      retry.backoff.reset();
      retry.at = clock.now() + JOIN_RETRY_MS;
      this.leaderHint = answer.leaderId ?? target;
      if (answer.leaderId !== undefined) network.raft.addPeer(answer.leaderId);
    } else {
      retry.at = clock.now() + retry.backoff.next();
      if (answer.leaderId !== undefined && answer.leaderId !== target) {
        // A follower named the leader: ask it now.
        this.leaderHint = answer.leaderId;
        this.askAgainAt.delete(answer.leaderId);
      } else if (this.leaderHint === target) {
        this.leaderHint = null;
      }
    }
    this.maybeJoin();
  }
}

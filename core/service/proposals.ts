// Proposals carries this peer's requests from the outbox to the log: it
// proposes each one on the leader (directly, or forwarded when this peer
// follows), proposes it again after a leader change (the driver's 'change'
// event), a reconnection, or RETRY_MS without an answer, answers whoever
// waits for its result, and settles the outbox when it is applied. It also
// answers other peers' forwarded proposals when this peer leads.
import type { Frame, NotebookNetwork } from '../net/index.ts';
import { decodeCommand, type ApplyResult } from '../notes/index.ts';
import type { Clock } from './clock.ts';
import { Outbox, type OutboxRequest } from './outbox.ts';
import type { RaftDriver, SoftStateChange } from './raft-driver.ts';

/** RETRY_MS is how long a proposal may go unanswered before it is proposed again under the same leader. */
const RETRY_MS = 3_000;
/** How many results of this peer's requests are kept for a waiter that comes late. */
const KEPT_RESULTS = 1_000;

type ForwardProposal = Extract<Frame, { type: 'ForwardProposal' }>;

/** ProposalsInit is what proposing needs. */
export interface ProposalsInit {
  /** This peer's client id (its peer id). */
  client: string;
  outbox: Outbox;
  driver: RaftDriver;
  network: NotebookNetwork;
  clock: Clock;
  /** How long submit waits for a result. */
  commitWaitMs: number;
}

/** Proposals tracks this peer's requests from the outbox until they are applied. */
export class Proposals {
  private readonly init: ProposalsInit;
  /** Who waits for each request's result: answered with it, or failed when nothing more can commit here. */
  private readonly waiters = new Map<number, { settle: (result: ApplyResult) => void; fail: (error: Error) => void }>();
  /** Results of requests applied before anyone waited for them (bounded). */
  private readonly results = new Map<number, ApplyResult>();
  /** When, and under which leader and term, each pending request was last proposed. */
  private readonly proposed = new Map<number, { at: number; leader: string | null; term: number }>();
  /** Set for RETRY_MS after the oldest proposal still unanswered. */
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly onChange = (evt: CustomEvent<SoftStateChange>) => {
    const { previous, current } = evt.detail;
    if (current.leaderId !== previous.leaderId || current.term !== previous.term) this.proposePending();
  };

  constructor(init: ProposalsInit) {
    this.init = init;
    init.driver.addEventListener('change', this.onChange);
  }

  /** stop proposes nothing more; waiters get their answer from the outbox after commitWaitMs as before. */
  stop(): void {
    this.stopped = true;
    this.init.driver.removeEventListener('change', this.onChange);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /**
   * submit proposes a request of the outbox and resolves with its result, or
   * with null after commitWaitMs once the request is durable in the outbox
   * (the API then answers 202, a promise to keep it across restarts); it
   * rejects when the outbox cannot make it durable.
   */
  submit(request: OutboxRequest): Promise<ApplyResult | null> {
    const known = this.results.get(request.seq);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.waiters.delete(request.seq);
        // Committed while the outbox synced: answer 201 after all (a refusal is kept as rejected, so it stays "pending").
        this.init.outbox.whenDurable(request.seq).then(() => {
          const late = this.results.get(request.seq);
          resolve(late?.ok === true ? late : null);
        }, reject);
      }, this.init.commitWaitMs);
      this.waiters.set(request.seq, {
        settle: (result) => {
          clearTimeout(timeout);
          this.waiters.delete(request.seq);
          resolve(result);
        },
        fail: (error) => {
          clearTimeout(timeout);
          this.waiters.delete(request.seq);
          reject(error);
        },
      });
      this.propose(request);
    });
  }

  /** proposePending proposes again what waits in the outbox: after a leader change or a reconnection, or RETRY_MS after the last try. */
  proposePending(): void {
    if (this.stopped) return;
    const { leaderId, term } = this.init.driver.softState;
    const now = this.init.clock.now();
    for (const request of this.init.outbox.list()) {
      const last = this.proposed.get(request.seq);
      if (last === undefined || last.leader !== leaderId || last.term !== term || now - last.at >= RETRY_MS) this.propose(request);
    }
    this.planRetry();
  }

  /** planRetry sets the timer for RETRY_MS after the oldest proposal still unanswered. */
  private planRetry(): void {
    if (this.retryTimer !== null || this.stopped || this.proposed.size === 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const p of this.proposed.values()) oldest = Math.min(oldest, p.at);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.proposePending();
    }, Math.max(0, oldest + RETRY_MS - this.init.clock.now()));
  }

  /** settle records the result of one of this peer's requests, applied, and answers whoever waits for it. */
  settle(seq: number, result: ApplyResult): void {
    const { outbox } = this.init;
    this.proposed.delete(seq);
    outbox.skipTo(seq); // a lost outbox file must not make this peer reuse a request number
    if (!result.ok && result.error === 'duplicate') {
      outbox.remove(seq); // the first application answered already
      return;
    }
    const waiter = this.waiters.get(seq);
    this.results.set(seq, result);
    if (this.results.size > KEPT_RESULTS) this.results.delete(this.results.keys().next().value as number);
    if (result.ok || waiter !== undefined) outbox.remove(seq);
    else outbox.reject(seq, result.error, result.error === 'conflict' ? result.current : undefined);
    waiter?.settle(result);
  }

  /** failWaiting answers every request still waiting with `error`: this peer's storage failed, nothing more commits here. */
  failWaiting(error: Error): void {
    for (const waiter of [...this.waiters.values()]) waiter.fail(error);
  }

  /** settleFromSnapshot removes the requests a snapshot shows applied (their results are not known). */
  settleApplied(isApplied: (seq: number) => boolean): void {
    for (const request of this.init.outbox.list()) {
      if (isApplied(request.seq)) {
        this.proposed.delete(request.seq);
        this.init.outbox.remove(request.seq);
      }
    }
  }

  /** answerForward proposes another peer's request when this peer leads; only that peer's own, well-formed requests. */
  answerForward(from: string, frame: ForwardProposal): void {
    const { driver, network } = this.init;
    let answer: { ok: true; index: number } | { ok: false; reason: string };
    try {
      const command = decodeCommand(frame.data);
      if (command.client !== from) answer = { ok: false, reason: 'wrong-client' };
      else {
        const result = driver.propose(frame.data);
        answer = result.ok ? { ok: true, index: result.index } : { ok: false, reason: result.reason };
      }
    } catch {
      answer = { ok: false, reason: 'invalid-command' };
    }
    const { leaderId } = driver.softState;
    network.raft.send([{ type: 'ForwardProposalResult', from: network.peerId, to: from, requestId: frame.requestId, ...answer,
      ...(leaderId !== null ? { leaderId } : {}) }]);
  }

  /** propose hands a pending request to the leader: directly when this peer leads, else forwarded. */
  private propose(request: OutboxRequest): void {
    const { driver, network, client } = this.init;
    const { role, leaderId, term } = driver.softState;
    const data = Outbox.command(client, request);
    if (role === 'leader') {
      if (!driver.propose(data).ok) return;
    } else if (leaderId !== null && !network.isolated) {
      network.raft.send([{ type: 'ForwardProposal', from: client, to: leaderId, requestId: String(request.seq), data }]);
    } else {
      return; // proposed again once a leader is known (a 'change' event) or this peer reconnects
    }
    this.proposed.set(request.seq, { at: this.init.clock.now(), leader: leaderId, term });
    this.planRetry();
  }
}

// RaftDriver is the one place the Raft core meets I/O: a 10 ms tick, and a loop
// that drains the core's Ready in the order the contract asks: persist (one
// durable batch, so one fsync), send, apply, advance. Messages and proposals
// that arrive while a batch is being persisted go into the core at once and
// are carried by the next batch (group commit).
//
// One exception to "persist, then send" (Raft dissertation §10.2.1, as
// etcd's server does it): a leader's AppendEntries go out before its own
// fsync, so the followers write their copies while the leader writes its own.
// Safe because a commit that counts the leader's own copy is acted on (sent,
// applied, answered) only in a later Ready, which the loop takes after this
// Ready's save resolved; and done only when the Ready changes neither term
// nor vote, which must be durable before any message shows them: one
// fdatasync less on the path of every write.
//
// AppendEntries without entries (heartbeats, and the new commit index after
// each commit) wait one to two ticks (HOLD_TICKS) before they go, and one
// superseded by a later AppendEntries to the same peer is dropped: the later
// one carries the same commit index or a newer one. With writes coming one
// after another, the next write's entries carry the commit, and a write costs
// two messages per follower instead of four. Delaying or losing a message
// never breaks Raft's safety; heartbeats stay well within the election
// timeout (50 ms apart, 70 at most, against 150-300 ms); a follower learns a
// commit up to 20 ms later when no entries follow, so a write made on a
// follower is answered up to 20 ms later. A heartbeat that a tick made goes at once: nothing would carry it sooner.
//
// A Ready's messages are written to the sockets before its committed entries
// are applied (the transport writes in a microtask, which the loop lets run
// first), so a follower's answer to AppendEntries does not wait for the
// follower to apply the previous write.
//
// The tick is logical: the timer is set for the first tick that does anything
// (RaftNode.ticksUntilDue: the next heartbeat, election or other timeout, or a
// held message's release), and the ticks in between are made all at once
// then, or before an input (a message, a proposal) needs the count. An idle
// follower wakes once per election timeout instead of every 10 ms.
//
// What each of these choices was measured to save: bench/results/design.md.
//
// The demo holds the clock (setTickMs, setPaused, stepTick): a paused driver
// makes no ticks at all (no heartbeat, no election, no held message released)
// until it resumes or is stepped one tick at a time; messages and proposals
// are still taken in. A new tick length counts from the tick the clock is at.
//
// After every input (a tick, a message, a proposal) and every Ready, the
// driver compares the core's SoftState (role, term, leader, commit index,
// membership) with the last one it saw and emits 'change' when it differs,
// so nobody polls the core: waitFor(predicate, ms) waits on those events.
import { TypedEventEmitter } from '@libp2p/interface';
import { RaftNode, type ElectionTimer, type Message, type ProposeResult, type Ready, type MembershipChange, type NodeId, type SoftState } from '../raft/index.ts';
import type { RaftStorage } from '../storage/index.ts';

/** HOLD_TICKS is how many ticks an AppendEntries without entries waits for entries to carry its commit index instead. */
const HOLD_TICKS = 2;

/** RaftDriverInit is what a driver runs. */
export interface RaftDriverInit {
  node: RaftNode;
  storage: RaftStorage;
  /** Hands messages to the network; never blocks. */
  send: (messages: Message[]) => void;
  /** Applies a Ready's snapshot (when newer than what was applied) and committed entries. */
  apply: (ready: Ready) => void;
  /** Called once when persisting fails: the driver has stopped and acknowledges nothing more. */
  onFatal: (error: Error) => void;
  /** Milliseconds per tick; default 10. */
  tickMs?: number;
}

/** SoftStateChange is the detail of a 'change' event: the soft state before and after. */
export interface SoftStateChange {
  previous: SoftState;
  current: SoftState;
}

/** RaftDriverEvents are the events a RaftDriver emits. */
export interface RaftDriverEvents {
  /** The core's role, term, leader, commit index or membership changed (at most once per input or Ready). */
  change: CustomEvent<SoftStateChange>;
}

/** RaftDriver runs a RaftNode against storage, the network and the state machine. */
export class RaftDriver extends TypedEventEmitter<RaftDriverEvents> {
  readonly node: RaftNode;
  private readonly init: RaftDriverInit;
  private tickMs: number;
  /** Set while the demo holds the clock: no tick is made but by stepTick. Invariant: paused implies timer === null. */
  private paused = false;
  /** The one timer: set for the next tick that does something, not every tick. */
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  /** Ticks made so far; the timer is set for tick wakeTick, counted from baseClock at baseTime. */
  private clock = 0;
  private wakeTick = 0;
  private baseClock = 0;
  private baseTime = 0;
  /** Whether the Ready the loop takes next comes from ticks alone: its heartbeats go at once, nothing would carry them sooner. */
  private tickReady = false;
  private running = false;
  private scheduled = false;
  private failed: Error | null = null;
  private idle: Promise<void> = Promise.resolve();
  /** AppendEntries without entries waiting to go, by recipient, with the tick they began waiting at. */
  private readonly held = new Map<NodeId, { message: Message; at: number }>();
  /** The term and vote last made durable. */
  private durable: { term: number; votedFor: NodeId | null };
  /** The soft state last announced by a 'change' event (or found at construction). */
  private soft: SoftState;

  constructor(init: RaftDriverInit) {
    super();
    this.init = init;
    this.node = init.node;
    this.tickMs = init.tickMs ?? 10;
    const { term, votedFor } = init.node.status(); // as restored from storage: nothing has happened yet
    this.durable = { term, votedFor };
    this.soft = init.node.softState();
  }

  /** softState is the core's soft state as last announced. */
  get softState(): SoftState {
    return this.soft;
  }

  /**
   * waitFor resolves true as soon as `predicate` holds for the soft state
   * (at once if it holds now), or false after `timeoutMs`.
   */
  waitFor(predicate: (state: SoftState) => boolean, timeoutMs: number): Promise<boolean> {
    this.observe();
    if (predicate(this.soft)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.removeEventListener('change', onChange);
        resolve(result);
      };
      const onChange = (evt: CustomEvent<SoftStateChange>) => {
        if (predicate(evt.detail.current)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.addEventListener('change', onChange);
    });
  }

  /** observe announces the soft state when it differs from the last one announced. */
  private observe(): void {
    const current = this.node.softState();
    const previous = this.soft;
    if (current.role === previous.role && current.term === previous.term && current.leaderId === previous.leaderId
      && current.commitIndex === previous.commitIndex && current.membership === previous.membership) return;
    this.soft = current;
    this.safeDispatchEvent('change', { detail: { previous, current } });
  }

  start(): void {
    if (this.started || this.failed !== null) return;
    this.started = true;
    this.baseTime = performance.now();
    this.baseClock = this.clock;
    this.plan();
    this.kick();
  }

  /** stop ends ticking and waits for the batch in progress. */
  async stop(): Promise<void> {
    this.started = false;
    this.releaseHeld(true);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.idle;
  }

  /**
   * catchUp makes the ticks the clock owes since the last wake-up, never past
   * the tick the timer is set for: an input sees the tick count a 10 ms
   * interval would have given it, and a loop blocked for a while loses ticks
   * as an interval would, instead of firing an election on waking.
   */
  private catchUp(): void {
    if (this.timer === null) return;
    const target = this.clockNow();
    while (this.clock < target) {
      this.node.tick();
      this.clock++;
    }
  }

  /** clockNow is the tick the clock is at, within the current sleep (catchUp makes the ticks up to it). */
  private clockNow(): number {
    if (this.timer === null) return this.clock;
    return Math.max(this.clock, Math.min(this.wakeTick, this.baseClock + Math.floor((performance.now() - this.baseTime) / this.tickMs)));
  }

  /** onTimer makes the ticks up to the planned one, sends what was held long enough, and plans the next wake-up. */
  private onTimer(): void {
    this.timer = null;
    if (!this.started || this.failed !== null) return;
    while (this.clock < this.wakeTick) {
      this.node.tick();
      this.clock++;
    }
    this.releaseHeld();
    this.observe();
    this.tickReady = this.node.hasReady();
    this.baseTime = performance.now();
    this.baseClock = this.clock;
    this.plan();
    // Most wake-ups change nothing to persist or send: skip the Ready loop's turn then.
    if (this.node.hasReady()) this.kick();
  }

  /** plan sets the timer for the first tick that does something (see the top of this file), if sooner than the one set. */
  private plan(): void {
    if (!this.started || this.failed !== null || this.paused) return;
    let due = this.node.ticksUntilDue();
    for (const h of this.held.values()) due = Math.min(due, h.at + HOLD_TICKS - this.clock);
    const wake = this.clock + Math.max(1, due);
    if (this.timer !== null) {
      if (wake >= this.wakeTick) return;
      clearTimeout(this.timer);
    }
    this.wakeTick = wake;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, this.baseTime + (wake - this.baseClock) * this.tickMs - performance.now()));
  }

  /** clockSetting is the Raft clock's setting: milliseconds per tick, and whether it is paused. */
  get clockSetting(): { tickMs: number; paused: boolean } {
    return { tickMs: this.tickMs, paused: this.paused };
  }

  /** setTickMs changes the length of a tick from now on; the ticks owed at the old length are made first. */
  setTickMs(ms: number): void {
    if (!(Number.isInteger(ms) && ms >= 1)) throw new RangeError(`a tick must last a whole number of milliseconds >= 1, not ${ms}`);
    this.catchUp();
    this.tickMs = ms;
    this.restartClock();
  }

  /** setPaused stops the Raft clock (true) or lets it run again from the tick it is at (false). */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    if (paused) this.catchUp();
    this.paused = paused;
    this.restartClock();
  }

  /** stepTick makes one tick while the clock is paused (and nothing when it runs: its own ticks go on). */
  stepTick(): void {
    if (!this.paused || this.failed !== null) return;
    this.node.tick();
    this.clock++;
    this.releaseHeld();
    this.observe();
    this.tickReady = this.node.hasReady();
    if (this.node.hasReady()) this.kick();
  }

  /** electionTimer is the core's election (or heartbeat) timer with the ticks the clock owes counted in. */
  electionTimer(): ElectionTimer {
    const timer = this.node.electionTimer();
    return { ...timer, elapsed: Math.min(timer.timeout - 1, timer.elapsed + this.clockNow() - this.clock) };
  }

  /** restartClock sets the timer again, counting from now at the current tick length (none while paused). */
  private restartClock(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.baseTime = performance.now();
    this.baseClock = this.clock;
    this.plan();
  }

  step(message: Message): void {
    if (this.failed !== null) return;
    this.tickReady = false;
    this.catchUp();
    this.node.step(message);
    this.observe();
    // Most answers (a follower's acknowledgement of nothing new) change nothing: no Ready loop turn then.
    if (this.node.hasReady()) this.kick();
  }

  propose(data: Uint8Array): ProposeResult {
    if (this.failed !== null) return { ok: false, reason: 'not-leader', leaderId: null };
    this.tickReady = false;
    this.catchUp();
    const result = this.node.propose(data);
    this.kick();
    return result;
  }

  changeMembership(change: MembershipChange): ProposeResult {
    if (this.failed !== null) return { ok: false, reason: 'not-leader', leaderId: null };
    this.tickReady = false;
    this.catchUp();
    const result = this.node.changeMembership(change);
    this.observe();
    this.kick();
    return result;
  }

  transferLeadership(to: NodeId): void {
    this.tickReady = false;
    this.catchUp();
    this.node.transferLeadership(to);
    this.kick();
  }

  /** wake ends quiescence (RaftNode.wake): a connection to another member was lost, so the leader may be gone. */
  wake(): void {
    if (this.failed !== null) return;
    this.tickReady = false;
    this.catchUp();
    this.node.wake();
    this.observe();
    this.kick();
  }

  /** campaign starts an election now (a sole voter need not wait for its election timeout). */
  campaign(): void {
    this.tickReady = false;
    this.catchUp();
    this.node.campaign();
    this.observe();
    this.kick();
  }

  /** kick makes sure the Ready loop runs soon; many kicks in one turn of the event loop make one batch. */
  kick(): void {
    if (this.scheduled || this.running || this.failed !== null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) this.idle = this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.failed === null && this.node.hasReady()) {
        const rd = this.node.ready();
        let messages = rd.messages;
        if (rd.hardState !== null || rd.snapshot !== null || rd.entries.length > 0) {
          if (this.mayReplicateEarly(rd)) {
            this.send(messages.filter((m) => m.type === 'AppendEntries'));
            messages = messages.filter((m) => m.type !== 'AppendEntries');
            await Promise.resolve(); // the transport writes them out (a microtask) before the fsync holds this thread
          }
          await this.init.storage.save(rd);
          if (rd.hardState !== null) this.durable = rd.hardState;
        }
        if (this.send(messages) && (rd.committed.length > 0 || rd.snapshot !== null)) {
          await Promise.resolve(); // the transport writes them out (a microtask) before applying holds this thread
        }
        this.init.apply(rd);
        this.node.advance(rd);
        this.tickReady = false;
        this.observe();
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.running = false;
      this.plan(); // a new role or a held message may want an earlier wake-up
    }
  }

  /**
   * send hands messages to the network, holding AppendEntries without entries
   * until the next tick (see the top of this file); true when any went.
   */
  private send(messages: Message[]): boolean {
    const now: Message[] = [];
    for (const m of messages) {
      if (m.type === 'AppendEntries') {
        if (m.entries.length === 0 && !this.tickReady) {
          // Replaces an older one (this one's commit index is as new or newer), keeping its age.
          this.held.set(m.to, { message: m, at: this.held.get(m.to)?.at ?? this.clockNow() });
          continue;
        }
        this.held.delete(m.to); // this one carries the commit index too
      }
      now.push(m);
    }
    if (now.length > 0) this.init.send(now);
    return now.length > 0;
  }

  /**
   * releaseHeld runs at each wake-up: it sends the AppendEntries held for HOLD_TICKS
   * ticks (all of them with `all`), whatever the role now: a leader that
   * stepped down still tells the commit.
   */
  private releaseHeld(all = false): void {
    if (this.held.size === 0) return;
    const out: Message[] = [];
    for (const [to, h] of this.held) {
      if (all || this.clock >= h.at + HOLD_TICKS) {
        out.push(h.message);
        this.held.delete(to);
      }
    }
    if (out.length > 0) this.init.send(out);
  }

  /** mayReplicateEarly says whether a leader's AppendEntries of `rd` may go out before it is persisted (see the top of this file). */
  private mayReplicateEarly(rd: Ready): boolean {
    if (rd.snapshot !== null || !rd.messages.some((m) => m.type === 'AppendEntries')) return false;
    const hs = rd.hardState;
    return hs === null || (hs.term === this.durable.term && hs.votedFor === this.durable.votedFor);
  }

  private fail(error: Error): void {
    if (this.failed !== null) return;
    this.failed = error;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.init.onFatal(error);
  }
}

// RaftDriver is the one place the Raft core meets I/O: a 10 ms tick, and a loop
// that drains the core's Ready in the order the contract asks: persist (one
// durable batch, so one fsync), send, apply, advance. Messages and proposals
// that arrive while a batch is being persisted go into the core at once and
// are carried by the next batch (group commit).
import { RaftNode, type Message, type ProposeResult, type Ready, type MembershipChange, type NodeId } from '../raft/index.ts';
import type { RaftStorage } from '../storage/index.ts';

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

/** RaftDriver runs a RaftNode against storage, the network and the state machine. */
export class RaftDriver {
  readonly node: RaftNode;
  private readonly init: RaftDriverInit;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private scheduled = false;
  private failed: Error | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(init: RaftDriverInit) {
    this.init = init;
    this.node = init.node;
  }

  start(): void {
    if (this.timer !== null || this.failed !== null) return;
    this.timer = setInterval(() => {
      this.node.tick();
      this.kick();
    }, this.init.tickMs ?? 10);
    this.kick();
  }

  /** stop ends ticking and waits for the batch in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.idle;
  }



  step(message: Message): void {
    if (this.failed !== null) return;
    this.node.step(message);
    this.kick();
  }

  propose(data: Uint8Array): ProposeResult {
    if (this.failed !== null) return { ok: false, reason: 'not-leader', leaderId: null };
    const result = this.node.propose(data);
    this.kick();
    return result;
  }

  changeMembership(change: MembershipChange): ProposeResult {
    if (this.failed !== null) return { ok: false, reason: 'not-leader', leaderId: null };
    const result = this.node.changeMembership(change);
    this.kick();
    return result;
  }

  transferLeadership(to: NodeId): void {
    this.node.transferLeadership(to);
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
        if (rd.hardState !== null || rd.snapshot !== null || rd.entries.length > 0) {
          await this.init.storage.save(rd);
        }
        this.init.send(rd.messages);
        this.init.apply(rd);
        this.node.advance(rd);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.running = false;
    }
  }

  private fail(error: Error): void {
    if (this.failed !== null) return;
    this.failed = error;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.init.onFatal(error);
  }
}

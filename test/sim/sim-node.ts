// One simulated peer: a RaftNode, its durable storage and its state machine,
// with the driver loop that joins them. A crash throws the RaftNode and the state
// machine away; only the storage survives, and a restart builds both again from it.
// With a NodeDisk (./sim-disk.ts) every Ready also goes to a real DiskStorage, and
// a restart reopens it and starts from what it reads back.

import { RaftNode } from '../../core/raft/index.ts';
import type { Membership, Message, NodeId, Ready, Role, Status } from '../../core/raft/index.ts';
import type { CheckedNode, SafetyChecker } from './invariants.ts';
import { copyEntry, copySnapshot, MemoryStorage, StorageFault } from './mem-storage.ts';
import type { Rng } from '../../core/testing/rng.ts';
import { diffState, type NodeDisk } from './sim-disk.ts';
import { DriverError, InvariantError, type SimContext } from './sim-error.ts';
import { StateMachine, StateMachineFault } from './state-machine.ts';

/** RaftTuning is the RaftOptions a simulation may set for every node. */
export interface RaftTuning {
  electionTicks?: number;
  heartbeatTicks?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  quiesce?: boolean;
  quietHeartbeatTicks?: number;
  quietTimeoutTicks?: number;
  maxEntriesPerMessage?: number;
  maxInflightMessages?: number;
}

/** SimNodeInit is what a SimNode is built from. */
export interface SimNodeInit {
  id: NodeId;
  /** The bootstrap membership (used while storage holds none). */
  membership: Membership;
  tuning: RaftTuning;
  /** Seeds the RaftNode's randomness; forked per incarnation. */
  rng: Rng;
  /** Compact after every this many applied entries; 0 never compacts. */
  compactEvery: number;
  checker: SafetyChecker;
  context: () => SimContext;
  /** The node's DiskStorage, when the simulation runs on one; null keeps only the MemoryStorage. */
  disk: NodeDisk | null;
}

/** The most Ready rounds one drain may take before the driver calls it a livelock. */
const MAX_READY_ROUNDS = 1000;

/** SimNode is one peer of a simulated cluster. */
export class SimNode implements CheckedNode {
  readonly id: NodeId;
  readonly storage = new MemoryStorage();
  /** Null while crashed. */
  raft: RaftNode | null = null;
  /** Null while crashed. */
  sm: StateMachine | null = null;
  /** How many times the node has started. */
  incarnation = 0;
  /** The applied index at the last compaction. */
  #compactedAt = 0;
  readonly #init: SimNodeInit;

  constructor(init: SimNodeInit) {
    this.id = init.id;
    this.#init = init;
  }

  /** live is true while the node runs. */
  get live(): boolean {
    return this.raft !== null;
  }

  /** node returns the running RaftNode, or throws when the node is crashed. */
  get node(): RaftNode {
    if (this.raft === null) throw new Error(`${this.id} is crashed`);
    return this.raft;
  }

  /** role is the running node's role. */
  role(): Role {
    return this.node.status().role;
  }

  /** term is the running node's current term. */
  term(): number {
    return this.node.status().term;
  }

  /** state is the running node's role and term, from one status() call. */
  state(): { role: Role; term: number } {
    const st = this.node.status();
    return { role: st.role, term: st.term };
  }

  /** status is the running node's status. */
  status(): Status {
    return this.node.status();
  }

  /** start builds a RaftNode and state machine from what storage holds (empty on first start). */
  start(): void {
    if (this.raft !== null) throw new Error(`${this.id} is already running`);
    if (this.incarnation > 0 && this.#init.disk !== null) {
      throw new Error(`${this.id} runs on DiskStorage: restart it with restartAsync()`);
    }
    this.#start();
  }

  /**
   * restartAsync starts a crashed node again. On DiskStorage it first reopens
   * the directory, checks that load() returns exactly what the node saved, and
   * starts from that; on MemoryStorage it is start().
   */
  async restartAsync(): Promise<void> {
    if (this.raft !== null) throw new Error(`${this.id} is already running`);
    const disk = this.#init.disk;
    if (disk !== null) {
      const loaded = await disk.reopen();
      const diff = diffState(this.storage, loaded);
      if (diff !== null) {
        throw new InvariantError('Persisted State', this.#init.context(),
          `${this.id} reopened its DiskStorage and read back ${diff}`);
      }
      this.storage.reset(loaded);
    }
    this.#start();
  }

  #start(): void {
    this.incarnation++;
    const s = this.storage;
    const sm = new StateMachine();
    if (s.snapshot !== null) {
      this.#guard(() => sm.restore(s.snapshot!.data, s.snapshot!.index));
    }
    this.sm = sm;
    this.#compactedAt = sm.appliedIndex;
    const fresh = s.snapshot === null && s.entries.length === 0 && s.hardState.term === 0;
    this.raft = new RaftNode({
      id: this.id,
      membership: this.#init.membership,
      random: this.#init.rng.fork(`${this.id}#${this.incarnation}`).float,
      ...this.#init.tuning,
      ...(fresh ? {} : { restore: s.restore() }),
    });
    if (sm.history.length > 0) this.#init.checker.onRestored(this.id, sm.history, this.term());
  }

  /** crash throws the RaftNode and the state machine away; storage survives. */
  crash(): void {
    this.raft = null;
    this.sm = null;
    this.#init.disk?.crash();
  }

  /** observe reports the node's role to the Election Safety check. */
  observe(): void {
    if (this.raft === null) return;
    const st = this.raft.status();
    this.#init.checker.observeRole(this.id, st.role, st.term);
  }

  /** deliver steps one received message into the node. */
  deliver(m: Message): void {
    if (this.raft === null) return;
    this.raft.step(m);
    // A vote is what makes a leader: look at once, in case a later message of this tick deposes it.
    if (m.type === 'RequestVoteResponse') this.observe();
  }

  /**
   * drain runs the driver loop until the node has nothing ready: persist the
   * snapshot, hard state and entries, send the messages, apply the committed
   * entries, advance; then compact when enough has been applied since the last time.
   */
  drain(send: (messages: Message[]) => void): void {
    const raft = this.raft;
    if (raft === null) return;
    for (let round = 0; raft.hasReady(); round++) {
      if (round >= MAX_READY_ROUNDS) {
        throw new DriverError(this.#init.context(), `${this.id} still has a Ready after ${MAX_READY_ROUNDS} rounds`);
      }
      const rd = raft.ready();
      this.#guard(() => this.#persist(rd));
      send(rd.messages);
      this.#guard(() => this.#apply(rd));
      raft.advance(rd);
      this.observe();
      const sm = this.sm!;
      const every = this.#init.compactEvery;
      if (every > 0 && sm.appliedIndex - this.#compactedAt >= every) {
        raft.compact(sm.appliedIndex, sm.serialize());
        this.#compactedAt = sm.appliedIndex;
      }
    }
  }

  #persist(rd: Ready): void {
    const s = this.storage;
    const checker = this.#init.checker;
    const commitBefore = s.hardState.commitIndex;
    if (rd.snapshot !== null) s.applySnapshot(rd.snapshot);
    if (rd.hardState !== null) {
      checker.onHardState(this.id, s.hardState, rd.hardState);
      s.setHardState(rd.hardState);
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      checker.onEntriesWritten(this.id, rd.entries, s.term(first - 1), (i) => s.term(i), commitBefore);
      s.append(rd.entries);
    }
    if (this.#init.disk !== null && (rd.snapshot !== null || rd.hardState !== null || rd.entries.length > 0)) {
      // Copies: DiskStorage may encode the batch after this Ready is advanced.
      this.#init.disk.save({
        hardState: rd.hardState === null ? null : { ...rd.hardState },
        entries: rd.entries.map(copyEntry),
        snapshot: rd.snapshot === null ? null : copySnapshot(rd.snapshot),
      });
    }
  }

  #apply(rd: Ready): void {
    if (rd.committed.length === 0 && rd.snapshot === null) return;
    const sm = this.sm!;
    const checker = this.#init.checker;
    const term = this.raft!.status().term;
    if (rd.snapshot !== null && rd.snapshot.index > sm.appliedIndex) {
      sm.restore(rd.snapshot.data, rd.snapshot.index);
      checker.onRestored(this.id, sm.history, term);
    }
    for (const e of rd.committed) {
      checker.onApplied(this.id, sm.apply(e), term);
    }
  }

  /** #guard turns a storage or state machine fault into a DriverError that names seed and tick. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof StorageFault || err instanceof StateMachineFault) {
        throw new DriverError(this.#init.context(), `${this.id}: ${err.message}`);
      }
      throw err;
    }
  }
}

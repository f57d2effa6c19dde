// A simulated Raft cluster: SimNodes on a SimNetwork, all driven by one logical
// clock. One step is one tick: every running node ticks, the messages due are
// delivered, every node drains its Ready, and the safety invariants are checked.
// Everything random comes from the seed, so a seed replays a run exactly.
// With `disk`, every node also keeps its state in a real DiskStorage; restarts
// are then async (restartAsync) and the cluster must be closed (./sim-disk.ts).

import type { RaftNode } from '../../core/raft/index.ts';
import type { Membership, MembershipChange, Message, NodeId, ProposeResult, Status } from '../../core/raft/index.ts';
import { SafetyChecker } from './invariants.ts';
import { Rng } from '../../core/testing/rng.ts';
import { SimDisk, type SimDiskInit } from './sim-disk.ts';
import { CoreError, LivenessError, SimError, type SimContext } from './sim-error.ts';
import { RELIABLE, SimNetwork, type NetworkOptions } from './sim-network.ts';
import { SimNode, type RaftTuning } from './sim-node.ts';

/** ClusterOptions configures a simulated cluster. */
export interface ClusterOptions {
  seed: number;
  /** The voters at bootstrap: their ids, or how many (named n1, n2, ...). */
  nodes: number | NodeId[];
  network?: Partial<NetworkOptions>;
  tuning?: RaftTuning;
  /** Every node compacts its log after this many applied entries; 0 (the default) never. */
  compactEvery?: number;
  /** Also keep every node's state in a DiskStorage in a temporary directory; close() removes it. */
  disk?: SimDiskInit;
}

/** AgreeOptions says which nodes must apply a command, and how long that may take. */
export interface AgreeOptions {
  /** These nodes must all apply it (default: every running node). */
  nodes?: NodeId[];
  /** Or at least this many running nodes must. */
  count?: number;
  /** Only a leader among these is asked (default: any running node). */
  among?: NodeId[];
  maxTicks?: number;
}

const encoder = new TextEncoder();

/** Every this many ticks the checker also compares whole logs pairwise (each write is checked as it happens). */
const FULL_LOG_CHECK_EVERY = 10;

/** SimCluster is a set of simulated peers, their network and the invariant checker watching them. */
export class SimCluster {
  readonly seed: number;
  readonly rng: Rng;
  readonly network: SimNetwork;
  readonly checker: SafetyChecker;
  readonly nodes = new Map<NodeId, SimNode>();
  /** The logical clock: ticks since the start. */
  now = 0;
  readonly electionTicks: number;
  /** The nodes' DiskStorages; null when they keep their state in memory only. */
  readonly disk: SimDisk | null;
  readonly #tuning: RaftTuning;
  readonly #compactEvery: number;
  readonly #send = (messages: Message[]): void => {
    for (const m of messages) this.network.send(m, this.now);
  };

  constructor(options: ClusterOptions) {
    this.seed = options.seed;
    this.rng = new Rng(options.seed);
    this.network = new SimNetwork(this.rng.fork('network'), { ...RELIABLE, ...options.network });
    this.checker = new SafetyChecker(() => this.context());
    this.#tuning = options.tuning ?? {};
    this.#compactEvery = options.compactEvery ?? 0;
    this.electionTicks = this.#tuning.electionTicks ?? 15;
    this.disk = options.disk === undefined ? null : new SimDisk(options.disk);
    const ids = typeof options.nodes === 'number'
      ? Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`)
      : options.nodes;
    for (const id of ids) this.#create(id, { voters: [...ids], learners: [] }).start();
  }

  /** context is the seed and tick, for error messages. */
  context(): SimContext {
    return { seed: this.seed, tick: this.now };
  }

  /** ids lists every node ever created, crashed or not. */
  ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** liveIds lists the running nodes. */
  liveIds(): NodeId[] {
    return this.ids().filter((id) => this.nodes.get(id)!.live);
  }

  /** get returns a node by id. */
  get(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** raft returns a running node's RaftNode. */
  raft(id: NodeId): RaftNode {
    return this.get(id).node;
  }

  /** status returns a running node's status. */
  status(id: NodeId): Status {
    return this.get(id).status();
  }

  /** applied lists the commands a running node has applied, in order. */
  applied(id: NodeId): string[] {
    return this.get(id).sm?.commands() ?? [];
  }

  /** appliedIndex is what a running node has applied (0 when crashed). */
  appliedIndex(id: NodeId): number {
    return this.get(id).sm?.appliedIndex ?? 0;
  }

  // ---- time ----

  /** step advances the clock one tick: tick, deliver, drain, check. */
  step(): void {
    this.now++;
    const nodes = [...this.nodes.values()];
    for (const n of nodes) if (n.live) this.#core(n.id, 'tick()', () => n.node.tick());
    for (const m of this.network.deliverDue(this.now)) {
      const n = this.nodes.get(m.to);
      if (n !== undefined) this.#core(m.to, `step(${m.type} from ${m.from})`, () => n.deliver(m));
    }
    for (const n of nodes) this.#core(n.id, 'the Ready loop', () => n.drain(this.#send));
    this.checker.checkStep(nodes, FULL_LOG_CHECK_EVERY);
  }

  /** #core runs a call into a node and turns an exception of the core into a CoreError naming seed and tick. */
  #core<T>(id: NodeId, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SimError) throw err;
      const e = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new CoreError(this.context(), `${id} threw in ${what}: ${e}`, err);
    }
  }

  /** run takes `ticks` steps. */
  run(ticks: number): void {
    for (let i = 0; i < ticks; i++) this.step();
  }

  /** runUntil steps until `done()` holds and returns the ticks taken; it throws a LivenessError after `maxTicks`. */
  runUntil(done: () => boolean, maxTicks: number, what: string): number {
    const start = this.now;
    while (!done()) {
      if (this.now - start >= maxTicks) {
        throw new LivenessError(this.context(), `no ${what} within ${maxTicks} ticks`);
      }
      this.step();
    }
    return this.now - start;
  }

  // ---- faults ----

  /** crash stops a node; only its storage survives. */
  crash(id: NodeId): void {
    this.get(id).crash();
  }

  /** restart starts a crashed node again from its storage (MemoryStorage only: DiskStorage needs restartAsync). */
  restart(id: NodeId): void {
    this.get(id).start();
  }

  /** restartAsync starts a crashed node again, on DiskStorage from its reopened directory. */
  async restartAsync(id: NodeId): Promise<void> {
    await this.get(id).restartAsync();
  }

  /** settle waits until every save issued so far is durable, and throws the first that failed (DiskStorage only). */
  async settle(): Promise<void> {
    await this.disk?.settle();
  }

  /** close closes every DiskStorage and removes their directory, also after a failure; nothing to do in memory. */
  async close(): Promise<void> {
    await this.disk?.close();
  }

  /** partition splits the nodes into groups that cannot reach each other. */
  partition(...groups: NodeId[][]): void {
    this.network.partition(...groups);
  }

  /** isolate cuts one node off from all others. */
  isolate(id: NodeId): void {
    this.network.isolate(id);
  }

  /** reconnect undoes isolate. */
  reconnect(id: NodeId): void {
    this.network.reconnect(id);
  }

  /** heal ends every partition and cut. */
  heal(): void {
    this.network.heal();
  }

  // ---- leaders and proposals ----

  /** leaders lists the running nodes that think they lead, among `among`. */
  leaders(among: NodeId[] = this.liveIds()): NodeId[] {
    return among.filter((id) => this.get(id).live && this.get(id).role() === 'leader');
  }

  /**
   * leader returns the leader of the highest term among `among`, provided no
   * running member of its membership (in `among`) is in a later term; else null.
   */
  leader(among: NodeId[] = this.liveIds()): NodeId | null {
    let best: Status | null = null;
    for (const id of this.leaders(among)) {
      const st = this.status(id);
      if (best === null || st.term > best.term) best = st;
    }
    if (best === null) return null;
    const members = [...best.membership.voters, ...best.membership.learners];
    for (const id of members) {
      if (among.includes(id) && this.get(id).live && this.get(id).term() > best.term) return null;
    }
    return best.id;
  }

  /** awaitLeader steps until `leader(among)` names one, and returns it. */
  awaitLeader(among?: NodeId[], maxTicks = 20 * this.electionTicks): NodeId {
    let found: NodeId | null = null;
    this.runUntil(() => (found = this.leader(among)) !== null, maxTicks,
      `leader among ${among === undefined ? 'the running nodes' : among.join(',')}`);
    return found!;
  }

  /** propose hands a command to a node (it reaches the network on the next step). */
  propose(id: NodeId, command: string): ProposeResult {
    return this.#core(id, 'propose()', () => this.raft(id).propose(encoder.encode(command)));
  }

  /**
   * submit is a client's proposal: made at `at` (a random running node when
   * omitted), and sent on once to the leader that node names when it is not one.
   */
  submit(command: string, at?: NodeId): ProposeResult {
    const live = this.liveIds();
    if (live.length === 0) return { ok: false, reason: 'not-leader', leaderId: null };
    const first = at ?? this.rng.pick(live);
    const r = this.propose(first, command);
    if (!r.ok && r.reason === 'not-leader' && r.leaderId !== null && r.leaderId !== first
        && this.nodes.get(r.leaderId)?.live === true) {
      return this.propose(r.leaderId, command);
    }
    return r;
  }

  /** changeMembership asks a node (the leader) for a one-server membership change. */
  changeMembership(id: NodeId, change: MembershipChange): ProposeResult {
    return this.#core(id, 'changeMembership()', () => this.raft(id).changeMembership(change));
  }

  /** indexOf returns the index where `command` was applied by any node, if it was. */
  indexOf(command: string): number | undefined {
    return this.checker.commandIndex(command);
  }

  /** hasApplied says whether a running node has applied `command`. */
  hasApplied(id: NodeId, command: string): boolean {
    const index = this.indexOf(command);
    return index !== undefined && this.appliedIndex(id) >= index;
  }

  /**
   * agree proposes `command` to the leader until the wanted nodes have applied it
   * (like the 6.5840 tests' `one()`), and returns its index. A proposal that no
   * node applies within a few election timeouts is made again, to whoever leads then.
   */
  agree(command: string, options: AgreeOptions = {}): number {
    const maxTicks = options.maxTicks ?? 40 * this.electionTicks;
    const retryTicks = 6 * this.electionTicks;
    const deadline = this.now + maxTicks;
    const done = (): boolean => {
      if (this.indexOf(command) === undefined) return false;
      if (options.nodes !== undefined) return options.nodes.every((id) => this.hasApplied(id, command));
      const have = this.liveIds().filter((id) => this.hasApplied(id, command)).length;
      return have >= (options.count ?? this.liveIds().length);
    };
    let proposals = 0;
    while (this.now < deadline) {
      const l = this.leader(options.among);
      if (l !== null && this.propose(l, command).ok) {
        if (++proposals > 1) this.checker.allowDuplicate(command);
        // Once committed, it is the leader's job (Raft §5.3) to bring every follower up to date:
        // proposing it again would only paper over a follower left behind.
        const until = Math.min(deadline, this.now + retryTicks);
        while (this.now < until || (this.indexOf(command) !== undefined && this.now < deadline)) {
          if (done()) return this.indexOf(command)!;
          this.step();
        }
        if (done()) return this.indexOf(command)!;
      } else {
        this.step();
      }
    }
    const who = options.nodes?.join(',') ?? `${options.count ?? this.liveIds().length} nodes`;
    throw new LivenessError(this.context(),
      `${JSON.stringify(command)} not applied by ${who} within ${maxTicks} ticks (${proposals} proposals)`);
  }

  /** awaitApplied steps until every node in `ids` has applied `command`. */
  awaitApplied(command: string, ids: NodeId[], maxTicks = 20 * this.electionTicks): void {
    this.runUntil(() => ids.every((id) => this.hasApplied(id, command)), maxTicks,
      `${JSON.stringify(command)} applied by ${ids.join(',')}`);
  }

  /**
   * checkLiveness asserts what must follow once faults stop: within `maxTicks`
   * there is one leader, and a new proposal commits on every running member.
   */
  checkLiveness(maxTicks = 60 * this.electionTicks): { leader: NodeId; index: number } {
    const start = this.now;
    const leader = this.awaitLeader(undefined, maxTicks);
    const members = (): NodeId[] => {
      const l = this.leader() ?? leader;
      const m = this.get(l).live ? this.status(l).membership : { voters: [], learners: [] };
      return [...m.voters, ...m.learners].filter((id) => this.nodes.get(id)?.live === true);
    };
    const command = `liveness@${this.now}`;
    const index = this.agree(command, { nodes: members(), maxTicks: maxTicks - (this.now - start) });
    this.awaitApplied(command, members(), Math.max(1, maxTicks - (this.now - start)));
    // Any stale leader hears of the new term, or steps down for want of a quorum, soon after.
    this.runUntil(() => this.leaders().length === 1, Math.max(1, maxTicks - (this.now - start)), 'single leader');
    this.checker.checkLogs([...this.nodes.values()]);
    return { leader: this.leader() ?? leader, index };
  }

  // ---- membership ----

  /** addNode starts a new, empty peer that knows `voters` and names itself a learner (it still has to be added). */
  addNode(id: NodeId, voters: NodeId[]): SimNode {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`);
    const n = this.#create(id, { voters: [...voters], learners: [id] });
    n.start();
    return n;
  }

  #create(id: NodeId, membership: Membership): SimNode {
    const n = new SimNode({
      id,
      membership,
      tuning: this.#tuning,
      rng: this.rng.fork(`node:${id}`),
      compactEvery: this.#compactEvery,
      checker: this.checker,
      context: () => this.context(),
      disk: this.disk?.open(id, () => this.context()) ?? null,
    });
    this.nodes.set(id, n);
    return n;
  }
}

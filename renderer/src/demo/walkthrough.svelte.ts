// Walkthrough is the guided story of the seeds (thesecretlivesofdata.com/raft,
// /work's seeds/): leader election, re-election after the leader stops, a
// provoked split vote, replication of "set 5" and "add 2", and the two-leader
// partition of five nodes into {A, B} and {C, D, E} with classic Raft, then
// the heal and the roll-back. It plays on the real peers: "Next" does the
// step's action through the same controls a presenter has (which stay live),
// and shows a sentence about what to watch. "Back" shows the previous
// sentence again; the peers keep their state (real time only goes forward).
import type { DemoState } from './demo-state.svelte.ts';
import { SEEDS_PARTITION } from './demo-state.svelte.ts';
import type { NodeState } from './node-state.svelte.ts';

/** WalkStep is one step: a title, what to watch, and what Next does on the peers. */
export interface WalkStep {
  title: string;
  text: string;
  run?: (demo: DemoState, walk: Walkthrough) => Promise<void>;
}

/** WALK_TICK_MS is the Raft clock the story plays at: elections after 1.5 to 3 s, heartbeats every half second. */
export const WALK_TICK_MS = 100;

const leaderOf = (demo: DemoState, among?: string[]): NodeState | undefined =>
  demo.leaders.filter((n) => among === undefined || among.includes(n.name)).sort((a, b) => (b.status?.term ?? 0) - (a.status?.term ?? 0))[0];

/** waitFor polls `check` until it holds or `ms` pass (the peers take real time). */
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${Math.round(ms / 1000)} s; the controls are still yours.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** STEPS are the seeds' chapters. */
export const STEPS: WalkStep[] = [
  {
    title: 'Five real peers',
    text: 'Raft is a protocol for distributed consensus. A to E are five real peers on this machine, each a follower, a candidate or the leader. '
      + `We slow their Raft clock to ${WALK_TICK_MS} ms a tick so you can follow: the leader's heartbeats (AppendEntries without entries) `
      + 'travel as dots, and each follower\'s ring is its election timer, reset by every heartbeat.',
    run: async (demo) => {
      await demo.setClock({ tickMs: WALK_TICK_MS, paused: false });
      if (!demo.lab.settings.preVote || !demo.lab.settings.checkQuorum) await demo.setSafeguards({ preVote: true, checkQuorum: true });
      if (demo.lab.settings.groups.length > 0) await demo.heal();
      await waitFor(() => demo.leaders.length === 1, 20_000, 'A leader');
    },
  },
  {
    title: 'Leader election',
    text: 'Let\'s stop the leader. No more heartbeats: the first follower whose election timeout runs out becomes a candidate '
      + 'for a new term, votes for itself and sends RequestVote to the others. A node that has not voted in that term votes for it.',
    run: async (demo, walk) => {
      const leader = leaderOf(demo);
      if (leader === undefined) throw new Error('There is no leader to stop right now; wait for the election.');
      walk.stopped = leader.name;
      await demo.crash(leader);
      await waitFor(() => leaderOf(demo) !== undefined && leaderOf(demo)!.name !== walk.stopped, 30_000, 'A new leader');
    },
  },
  {
    title: 'A new term',
    text: 'The candidate that got votes from a majority (3 of 5) leads the new term: a majority per term means at most one leader per term. '
      + 'The stopped node starts again on its data: it hears the new leader\'s heartbeat and follows it.',
    run: async (demo, walk) => {
      const stopped = demo.nodes.find((n) => n.name === walk.stopped);
      if (stopped !== undefined && !stopped.running) await demo.restart(stopped);
      await waitFor(() => demo.nodes.every((n) => n.running && n.status !== null), 30_000, 'Every node running');
    },
  },
  {
    title: 'Split vote',
    text: 'If two nodes become candidates at the same time, the vote can split. We stop the leader again, and set two of the four '
      + 'followers\' timers to fire on the same tick: both ask for votes in the same term, and each voter gives its vote to the request '
      + 'it gets first. Without a majority, they wait for a new random timeout and try again, until one wins; then the stopped node restarts.',
    run: async (demo, walk) => {
      const leader = leaderOf(demo);
      if (leader !== undefined) await demo.crash(leader);
      const followers = demo.nodes.filter((n) => n.running && n.status?.role === 'follower').map((n) => n.name);
      if (followers.length < 2) throw new Error('A split vote needs two running followers.');
      walk.termBefore = Math.max(...demo.nodes.map((n) => n.status?.term ?? 0));
      walk.candidates = followers.slice(0, 2);
      await demo.splitVote(walk.candidates);
      await waitFor(() => demo.leaders.length === 1 && (leaderOf(demo)!.status?.term ?? 0) > walk.termBefore, 30_000, 'A leader after the split vote');
      if (leader !== undefined) await demo.restart(leader);
      await waitFor(() => demo.nodes.every((n) => n.running && n.status !== null), 30_000, 'Every node running');
    },
  },
  {
    title: 'Log replication: set 5',
    text: 'All changes go through the leader. A client sends "set 5": the leader appends it to its log (hatched: not committed yet), '
      + 'sends it to the followers with the next AppendEntries, and commits it once a majority holds it; the followers learn the commit with the next one.',
    run: async (demo) => {
      const leader = leaderOf(demo);
      if (leader === undefined) throw new Error('There is no leader right now; wait for the election.');
      await demo.addNote(leader, 'set 5');
    },
  },
  {
    title: 'add 2',
    text: 'Now a client sends "add 2" to a follower: it forwards the change to the leader, which replicates and commits it the same way.',
    run: async (demo) => {
      const follower = demo.nodes.find((n) => n.running && n.status?.role === 'follower');
      if (follower === undefined) throw new Error('There is no follower right now.');
      await demo.addNote(follower, 'add 2');
    },
  },
  {
    title: 'Classic Raft',
    text: 'Production Raft runs with PreVote (a node that cannot win does not raise the term) and CheckQuorum (a leader that hears no majority '
      + 'steps down). The seeds\' partition story is classic Raft: we turn both off, and hand leadership to B.',
    run: async (demo) => {
      await demo.setSafeguards({ preVote: false, checkQuorum: false });
      const b = demo.nodes.find((n) => n.name === 'B')!;
      if (b.status?.role !== 'leader') await demo.makeLeader(b);
      await waitFor(() => leaderOf(demo)?.name === 'B', 15_000, 'B leading');
    },
  },
  {
    title: 'A partition',
    text: 'We cut A and B off from C, D and E. C, D and E hear no heartbeat from B: one of them times out and wins an election in a higher '
      + 'term with 3 votes. B keeps its term and still thinks it leads: two leaders, in different terms.',
    run: async (demo, walk) => {
      walk.termBefore = demo.nodes.find((n) => n.name === 'B')?.status?.term ?? 0;
      await demo.partition(SEEDS_PARTITION);
      await waitFor(() => {
        const majority = leaderOf(demo, ['C', 'D', 'E']);
        return majority !== undefined && (majority.status?.term ?? 0) > walk.termBefore;
      }, 30_000, 'A leader on the majority side');
    },
  },
  {
    title: 'Writes on both sides',
    text: 'One client sets B\'s side to 3: B cannot replicate it to a majority, so its entry stays uncommitted (hatched). '
      + 'Another client sets the majority\'s side to 8: it commits, three nodes hold it.',
    run: async (demo) => {
      const b = demo.nodes.find((n) => n.name === 'B')!;
      const majority = leaderOf(demo, ['C', 'D', 'E']);
      if (majority === undefined) throw new Error('There is no leader on the majority side yet.');
      void demo.addNote(b, 'set 3'); // answered as pending after 2 s: it cannot commit
      await demo.addNote(majority, 'set 8');
      await waitFor(() => (b.status?.lastIndex ?? 0) > (b.status?.commitIndex ?? 0), 10_000, 'B\'s uncommitted entry');
    },
  },
  {
    title: 'Heal',
    text: 'Now we heal the partition. B sees the higher term and steps down; A and B roll back their uncommitted entries (struck through '
      + 'for a while) and match the new leader\'s log. B\'s outbox still holds "set 3": it proposes it again, and it commits, once.',
    run: async (demo) => {
      await demo.heal();
      await waitFor(() => demo.leaders.length === 1 && demo.nodes.every((n) => n.status?.commitIndex === n.status?.lastIndex
        && n.status?.lastIndex === demo.leaders[0]!.status?.lastIndex), 30_000, 'One log on every node');
    },
  },
  {
    title: 'Consensus',
    text: 'Our log is consistent across the cluster again, "set 3" and "set 8" committed once each. Every control stays live: '
      + 'turn PreVote and CheckQuorum back on and cut B off again to see the leader step down at once.',
  },
];

/** Walkthrough is the guided story's state: the step shown, and whether its action is under way. */
export class Walkthrough {
  /** The step shown; -1 when the walkthrough is closed. */
  step = $state(-1);
  /** The furthest step whose action ran: Next runs the next one's, Back only shows. */
  reached = $state(-1);
  running = $state(false);
  error = $state<string | null>(null);
  /** What the steps remember: the node stopped in "Leader election", the term before a split or a partition. */
  stopped: string | null = null;
  termBefore = 0;
  /** The two nodes made to time out together in "Split vote". */
  candidates: string[] = [];
  private readonly demo: DemoState;

  constructor(demo: DemoState) {
    this.demo = demo;
  }

  get open(): boolean {
    return this.step >= 0;
  }

  /** start opens the walkthrough at its first step and runs it. */
  async start(): Promise<void> {
    this.step = -1;
    this.reached = -1;
    await this.next();
  }

  close(): void {
    this.step = -1;
  }

  /** next shows the next step, running its action when it was not run yet. */
  async next(): Promise<void> {
    if (this.running || this.step >= STEPS.length - 1) return;
    this.step++;
    this.error = null;
    if (this.step <= this.reached) return;
    this.reached = this.step;
    const run = STEPS[this.step]!.run;
    if (run === undefined) return;
    this.running = true;
    try {
      await run(this.demo, this);
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.running = false;
    }
  }

  back(): void {
    if (this.step > 0 && !this.running) {
      this.step--;
      this.error = null;
    }
  }
}

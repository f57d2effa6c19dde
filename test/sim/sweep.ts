// One run of the randomized safety sweep: a cluster under random faults for a
// while (crashes and restarts, partitions, cut links, loss, duplication and
// reordering, proposals, compaction, leadership transfers, membership changes),
// with every invariant checked after every tick; then the faults stop and the
// cluster must recover (one leader, a new proposal committed on every member).
// Everything is drawn from the seed, so `runSweep({ seed })` replays exactly.
// With `disk` every node keeps its state in a real DiskStorage and restarts from
// its reopened directory; the run takes the same course as in memory.

import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';
import type { SimDiskInit, SimDiskStats } from './sim-disk.ts';
import { RELIABLE, type NetworkOptions } from './sim-network.ts';
import { Rng } from '../../core/testing/rng.ts';

/** SweepOptions selects one sweep run. */
export interface SweepOptions {
  seed: number;
  /** Voters at bootstrap: 3 or 5. */
  nodes: 3 | 5;
  /** Ticks of faults before healing (default 1500). */
  faultTicks?: number;
  /** Overrides the compaction interval the seed draws (0: never compact), to narrow a failure down. */
  compactEvery?: number;
  /** Run every node on a DiskStorage in a temporary directory (removed at the end, also after a failure). */
  disk?: SimDiskInit;
  /** Receives one line per fault injected, as it happens. */
  log?: (line: string) => void;
}

/** SweepResult sums up a run that kept every invariant and recovered. */
export interface SweepResult {
  seed: number;
  ticks: number;
  proposals: number;
  committed: number;
  faults: number;
  /** Ticks from the end of the faults to the recovery proposal being applied everywhere. */
  recoveryTicks: number;
  /** What the DiskStorages did, when the run used them. */
  disk?: SimDiskStats;
}

function randomNetwork(rng: Rng): NetworkOptions {
  return {
    minDelay: 1,
    maxDelay: rng.pick([1, 2, 3, 5]),
    dropRate: rng.pick([0, 0, 0.02, 0.1, 0.25]),
    dupRate: rng.pick([0, 0, 0.02, 0.1]),
    reorderRate: rng.pick([0, 0, 0.02, 0.1]),
    reorderDelay: rng.pick([5, 20, 60]),
  };
}

/** runSweep runs one seed; it throws a SimError (naming seed and tick) on a broken invariant or a stalled recovery. */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const rng = new Rng(options.seed).fork('sweep');
  const drawn = rng.pick([0, 4, 16, 64]);
  const compactEvery = options.compactEvery ?? drawn;
  // One entry per message now and then, so a new leader's noop does not always travel with older entries.
  const maxEntriesPerMessage = rng.pick([1, 3, 1024]);
  const c = new SimCluster({
    seed: options.seed,
    nodes: options.nodes,
    network: randomNetwork(rng),
    compactEvery,
    tuning: { maxEntriesPerMessage },
    ...(options.disk === undefined ? {} : { disk: options.disk }),
  });
  let result: SweepResult;
  try {
    result = await faultsThenRecovery(c, rng, options, compactEvery, maxEntriesPerMessage);
  } catch (err) {
    await c.close().catch(() => undefined); // the run's own failure says more
    throw err;
  }
  await c.close();
  return result;
}

/** faultsThenRecovery is the body of runSweep: random faults for a while, then healing and the liveness check. */
async function faultsThenRecovery(c: SimCluster, rng: Rng, options: SweepOptions, compactEvery: number,
  maxEntriesPerMessage: number): Promise<SweepResult> {
  const log = (what: string): void => options.log?.(`tick ${c.now}: ${what}`);
  log(`${options.nodes} nodes, compactEvery ${compactEvery}, maxEntriesPerMessage ${maxEntriesPerMessage}, ` +
    `network ${JSON.stringify(c.network.options)}`);

  const spare: NodeId[] = [`n${options.nodes + 1}`, `n${options.nodes + 2}`];
  let proposals = 0;
  let faults = 0;
  const faultTicks = options.faultTicks ?? 1500;
  const live = (): NodeId[] => c.liveIds();
  const crashed = (): NodeId[] => c.ids().filter((id) => !c.get(id).live);
  const leaderNow = (): NodeId | null => c.leader();

  // Half the runs have idle stretches, in which an idle group quiesces (and faults go on).
  const idleStretches = rng.chance(0.5);
  let idleUntil = 0;
  for (let t = 0; t < faultTicks; t++) {
    if (idleStretches && t >= idleUntil && rng.chance(0.005)) {
      idleUntil = t + rng.int(100, 500);
      log(`idle until tick ${c.now + idleUntil - t}`);
    }
    if (t >= idleUntil && rng.chance(0.3)) {
      // A client at a random node; or every node that believes it leads (stale leaders too),
      // which is what leaves divergent, uncommitted tails for later leaders to repair.
      if (rng.chance(0.5)) c.submit(`p${proposals++}`);
      else for (const id of c.leaders()) c.propose(id, `p${proposals++}`);
    }
    if (rng.chance(0.04)) {
      faults++;
      const roll = rng.float();
      const leaders = c.leaders();
      if (roll < 0.18) {
        // Half the crashes hit a leader, often right after it took proposals (Figure 8).
        const pool = leaders.length > 0 && rng.chance(0.5) ? leaders : live();
        const id = pool.length > 0 ? rng.pick(pool) : null;
        if (id !== null && leaders.includes(id) && rng.chance(0.5)) {
          // Mid-replication: the leader takes a few proposals and crashes a tick or two later.
          for (let k = rng.int(1, 4); k > 0; k--) c.propose(id, `p${proposals++}`);
          for (let k = rng.int(1, 3); k > 0; k--) c.step();
          if (c.get(id).live) c.crash(id);
          log(`crash ${id} mid-replication`);
        } else if (id !== null) {
          c.crash(id);
          log(`crash ${id}`);
        }
      } else if (roll < 0.4) {
        const ids = crashed();
        if (ids.length > 0) { const id = rng.pick(ids); await c.restartAsync(id); log(`restart ${id}`); }
      } else if (roll < 0.5) {
        // Half the partitions put a leader on the minority side.
        let ids = rng.shuffle(c.ids());
        const k = rng.int(1, Math.ceil(ids.length / 2));
        if (leaders.length > 0 && rng.chance(0.5)) ids = [leaders[0]!, ...ids.filter((id) => id !== leaders[0])];
        c.partition(ids.slice(0, k), ids.slice(k));
        log(`partition ${ids.slice(0, k).join(',')} | ${ids.slice(k).join(',')}`);
      } else if (roll < 0.56) {
        const id = rng.pick(c.ids());
        c.isolate(id);
        log(`isolate ${id}`);
      } else if (roll < 0.62) {
        const [a, b] = rng.shuffle(c.ids());
        const oneWay = rng.chance(0.5);
        c.network.cut(a!, b!, oneWay);
        log(`cut ${a}${oneWay ? '->' : '<->'}${b}`);
      } else if (roll < 0.76) {
        c.heal();
        log('heal');
      } else if (roll < 0.82) {
        c.network.configure(randomNetwork(rng));
        log(`network ${JSON.stringify(c.network.options)}`);
      } else if (roll < 0.88) {
        const l = leaderNow();
        if (l !== null) {
          const to = rng.pick(c.status(l).membership.voters);
          c.raft(l).transferLeadership(to);
          log(`transfer ${l} -> ${to}`);
        }
      } else if (roll < 0.94) {
        const l = leaderNow();
        if (l !== null) {
          const m = c.status(l).membership;
          let change: { type: 'addLearner' | 'addVoter' | 'remove'; id: NodeId } | null = null;
          if (m.learners.length > 0 && m.voters.length < 5 && rng.chance(0.6)) {
            change = { type: 'addVoter', id: rng.pick(m.learners) };
          } else if (spare.length > 0 && rng.chance(0.5)) {
            const id = spare.shift()!;
            c.addNode(id, m.voters);
            change = { type: 'addLearner', id };
          } else if (m.voters.length > 3) {
            change = { type: 'remove', id: rng.pick(m.voters) };
          } else if (m.learners.length > 0) {
            change = { type: 'remove', id: rng.pick(m.learners) };
          }
          if (change !== null) {
            const r = c.changeMembership(l, change);
            log(`${change.type} ${change.id} at ${l}: ${r.ok ? `index ${r.index}` : r.reason}`);
          }
        }
      } else if (roll < 0.97) {
        const id = live().length > 0 ? rng.pick(live()) : null;
        if (id !== null) { c.raft(id).campaign(); log(`campaign ${id}`); }
      } else {
        // What a driver does when a connection to another member is lost.
        const id = live().length > 0 ? rng.pick(live()) : null;
        if (id !== null) { c.raft(id).wake(); log(`wake ${id}`); }
      }
    }
    c.step();
    await c.settle();
  }

  // The faults stop: everyone restarts, the network heals and becomes reliable.
  c.heal();
  c.network.configure(RELIABLE);
  for (const id of crashed()) await c.restartAsync(id);
  log('heal all, restart all, reliable network');
  const healedAt = c.now;
  c.checkLiveness();
  await c.settle();
  return {
    seed: options.seed,
    ticks: c.now,
    proposals,
    committed: c.checker.maxCommittedIndex(),
    faults,
    recoveryTicks: c.now - healedAt,
    ...(c.disk === null ? {} : { disk: c.disk.stats() }),
  };
}

/** replayCommand is the command line that replays one sweep run. */
export function replayCommand(seed: number, nodes: 3 | 5, disk = false): string {
  return `npm run sim -- --seed ${seed} --nodes ${nodes}${disk ? ' --disk' : ''}`;
}

/**
 * runSweepOrExplain runs one seed and, when it fails, throws an Error whose
 * message holds the failure, the last faults injected and how to replay it.
 */
export async function runSweepOrExplain(options: Omit<SweepOptions, 'log'>, tail = 25): Promise<SweepResult> {
  const lines: string[] = [];
  try {
    return await runSweep({ ...options, log: (line) => lines.push(line) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${message}\n  last faults:\n    ${lines.slice(-tail).join('\n    ')}\n  replay: ${replayCommand(options.seed, options.nodes, options.disk !== undefined)}`,
      { cause: err },
    );
  }
}

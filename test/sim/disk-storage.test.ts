// The simulation on real durable storage: every node keeps its state in a
// DiskStorage in a temporary directory, a crash closes it and a restart
// reopens the directory and starts from what load() reads back (checked to be
// exactly what the node saved). Every invariant of ./invariants.ts is checked
// after every tick, as in memory. Reference: Raft paper §5.6 and Figure 2
// (persistent state, updated on stable storage before responding to RPCs).

import { afterEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';
import { runSweep, runSweepOrExplain, type SweepResult } from './sweep.ts';

/** Small segments, so a run crosses many of them and compaction removes old ones. */
const SEGMENT_BYTES = 4096;

function withoutDisk(r: SweepResult): SweepResult {
  const { disk: _, ...rest } = r;
  return rest;
}

describe('DiskStorageSimulation', () => {
  let cluster: SimCluster | null = null;
  afterEach(async () => {
    const c = cluster;
    cluster = null;
    await c?.close();
  });

  it('keeps every invariant and recovers while leaders and followers crash and restart from disk', async () => {
    const c = (cluster = new SimCluster({ seed: 911, nodes: 5, compactEvery: 8, disk: { segmentBytes: SEGMENT_BYTES } }));
    const ids = c.ids();
    let restartedFromSnapshot = 0;
    const restart = async (id: NodeId): Promise<void> => {
      await c.restartAsync(id);
      if (c.get(id).storage.snapshot !== null) restartedFromSnapshot++;
    };
    const expected: string[] = [];
    const agree = (command: string, count?: number): void => {
      c.agree(command, count === undefined ? {} : { count });
      expected.push(command);
    };

    agree('start');
    for (let round = 1; round <= 12; round++) {
      const leader = c.awaitLeader();
      const follower = ids[(ids.indexOf(leader) + round) % ids.length]!;
      // The leader takes proposals and crashes a tick later, mid-replication (they may or may not survive).
      for (let k = 0; k < 3; k++) c.propose(leader, `lost?${round}.${k}`);
      c.step();
      c.crash(leader);
      c.crash(follower === leader ? ids[(ids.indexOf(leader) + 1) % ids.length]! : follower);
      // The other three go on, past a few compactions, so the crashed follower needs a snapshot.
      for (let k = 0; k < 20; k++) agree(`r${round}.${k}`, 3);
      for (const id of c.ids()) if (!c.get(id).live) await restart(id);
      agree(`r${round}.back`);
      if (round % 4 === 0) {
        // Every node crashes at once and comes back from its directory alone.
        for (const id of ids) c.crash(id);
        for (const id of ids) await restart(id);
        agree(`r${round}.all`);
      }
      await c.settle();
    }

    c.heal();
    const { index } = c.checkLiveness();
    await c.settle();
    expect(index).toBeGreaterThan(12 * 20);
    // Every node applied every command that was agreed, in one order; the proposals lost in a crash come
    // through at most once (the checker already fails on any command applied at two indexes).
    const applied = c.applied(c.awaitLeader()).filter((x) => !x.startsWith('lost?') && !x.startsWith('liveness@'));
    expect([...new Set(applied)]).toEqual(expected); // a command agree() proposed twice may be applied twice
    for (const id of ids) expect(c.applied(id).length).toBe(c.applied(c.awaitLeader()).length);

    const stats = c.disk!.stats();
    expect(stats.reopens).toBe(12 * 2 + 3 * ids.length);
    expect(restartedFromSnapshot).toBeGreaterThan(10);
    expect(stats.snapshots).toBeGreaterThan(12); // the followers' InstallSnapshots among them
    expect(stats.segments).toBeGreaterThan(ids.length * 3); // segments rolled over, old ones removed after compaction
  });

  it('takes the same course on DiskStorage as in memory', async () => {
    const onDisk = await runSweepOrExplain({ seed: 5, nodes: 5, disk: { segmentBytes: SEGMENT_BYTES } });
    const inMemory = await runSweep({ seed: 5, nodes: 5 });
    expect(withoutDisk(onDisk)).toEqual(inMemory);
    expect(onDisk.disk!.reopens).toBeGreaterThan(3);
  });

  const seeds = [1, 2, 3, 4, 6, 7].flatMap((seed) => [3, 5].map((nodes) => ({ seed, nodes: nodes as 3 | 5 })));
  it.each(seeds)('keeps every invariant and recovers under random faults and crashes on disk (seed $seed, $nodes nodes)',
    async ({ seed, nodes }) => {
      const r = await runSweepOrExplain({ seed, nodes, disk: { segmentBytes: SEGMENT_BYTES } });
      expect(r.faults).toBeGreaterThan(10);
      expect(r.committed).toBeGreaterThan(0);
      expect(r.disk!.saves).toBeGreaterThan(100);
    });
});

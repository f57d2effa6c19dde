// Leaders crash in the middle of replicating entries of older terms (Raft paper,
// Figure 8; after the 6.5840 lab's Figure 8 tests). A leader may count replicas
// only for entries of its own term (§5.4.2); the invariant checker would catch
// an older-term entry committed by counting and then overwritten. One entry per
// AppendEntries keeps a new leader's noop from travelling with the older
// entries it would otherwise carry, which is what opens Figure 8's window.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';
import { UNRELIABLE } from './sim-network.ts';

describe('Figure 8', () => {
  it('does not commit an entry of an older term by counting replicas (the figure, step by step)', () => {
    // Without PreVote and CheckQuorum, campaign() starts a real election at once, as in the paper.
    const c = new SimCluster({
      seed: 400, nodes: ['S1', 'S2', 'S3', 'S4', 'S5'],
      tuning: { preVote: false, checkQuorum: false, maxEntriesPerMessage: 1, electionTicks: 1000 },
    });
    const lead = (id: string): void => {
      // Step by step, so the caller acts on the very tick it wins (before its first appends arrive).
      for (let t = 0; t < 40 && c.get(id).role() !== 'leader'; t++) {
        if (t % 4 === 0) c.raft(id).campaign();
        c.step();
      }
      expect(c.get(id).role(), `${id} winning an election`).toBe('leader');
    };
    const holds = (id: string, index: number, term: number): boolean => c.get(id).storage.term(index) === term;
    lead('S1');
    c.agree('start');
    const base = c.status('S1').lastIndex;
    const t1 = c.status('S1').term;

    // (a) S1 leads and replicates an entry at base+1 to S2 only, then crashes.
    c.partition(['S1', 'S2'], ['S3', 'S4', 'S5']);
    expect(c.propose('S1', 'a')).toMatchObject({ ok: true, index: base + 1 });
    c.runUntil(() => holds('S2', base + 1, t1), 10, 'S2 holding a');
    c.crash('S1');

    // (b) S5 wins with the votes of S3 and S4; its own entry at base+1 reaches nobody; it crashes.
    lead('S5');
    c.isolate('S5');
    const t5 = c.status('S5').term;
    expect(holds('S5', base + 1, t5)).toBe(true);
    c.crash('S5');
    c.heal();

    // (c) S1 comes back, wins with S2 and S3, and replicates the old entry to S3: a majority holds it now.
    c.restart('S1');
    c.partition(['S1', 'S2', 'S3'], ['S4'], ['S5']);
    lead('S1');
    const t4 = c.status('S1').term;
    c.runUntil(() => holds('S3', base + 1, t1), 20, 'S3 holding a');
    // S3 gets nothing of S1's own term: its answer still reaches S1.
    c.network.cut('S1', 'S3', true);
    expect(holds('S3', base + 2, t4)).toBe(false);
    c.run(10);
    // Raft §5.4.2: three of five hold `a`, but it is of an older term, so it is not committed.
    expect(c.checker.committedAt(base + 1)).toBeUndefined();
    expect(c.status('S1').commitIndex).toBeLessThanOrEqual(base);

    // (d) S1 crashes; S5 returns and wins with S3 and S4 (its last term beats theirs), and overwrites `a`.
    c.crash('S1');
    c.restart('S5');
    c.heal();
    c.partition(['S3', 'S4', 'S5'], ['S1', 'S2']);
    lead('S5');
    c.agree('after', { nodes: ['S3', 'S4', 'S5'], among: ['S3', 'S4', 'S5'] });
    expect(holds('S3', base + 1, t1)).toBe(false);

    // Everyone back: one history, without `a`.
    c.heal();
    c.restart('S1');
    c.agree('end');
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['start', 'after', 'end']);
  });

  it('never loses a committed entry while leaders crash mid-replication', () => {
    const c = new SimCluster({ seed: 401, nodes: 5, tuning: { maxEntriesPerMessage: 1 } });
    c.agree('f8-start', { count: 1 });
    let up = c.ids().length;
    for (let iter = 0; iter < 300; iter++) {
      let leader: NodeId | null = null;
      for (const id of c.liveIds()) {
        if (c.propose(id, `f8-${iter}-${id}`).ok) leader = id;
      }
      // Mostly a tick or two (the entry reaches some followers, not all); sometimes long.
      c.run(c.rng.chance(0.1) ? c.rng.int(1, c.electionTicks) : c.rng.int(1, 3));
      if (leader !== null && c.rng.chance(0.5)) {
        c.crash(leader);
        up--;
      }
      if (up < 3) {
        const s = c.rng.pick(c.ids());
        if (!c.get(s).live) {
          c.restart(s);
          up++;
        }
      }
    }
    for (const id of c.ids()) if (!c.get(id).live) c.restart(id);
    c.agree('f8-end');
    const order = c.applied(c.awaitLeader());
    for (const id of c.ids()) expect(c.applied(id)).toEqual(order);
    expect(order.length).toBeGreaterThan(2);
  });

  it('never loses a committed entry on an unreliable network that reorders messages by a long way', () => {
    const c = new SimCluster({ seed: 403, nodes: 5, network: { ...UNRELIABLE, reorderRate: 0 }, tuning: { maxEntriesPerMessage: 1 } });
    c.agree('f8u-start', { count: 1 });
    const cut = new Set<NodeId>();
    for (let iter = 0; iter < 400; iter++) {
      if (iter === 100) c.network.configure({ reorderRate: 0.1, reorderDelay: 4 * c.electionTicks });
      let leader: NodeId | null = null;
      for (const id of c.liveIds()) {
        if (c.propose(id, `f8u-${iter}-${id}`).ok && !cut.has(id)) leader = id;
      }
      c.run(c.rng.chance(0.1) ? c.rng.int(1, c.electionTicks) : c.rng.int(1, 3));
      if (leader !== null && c.rng.chance(0.5)) {
        c.isolate(leader);
        cut.add(leader);
      }
      if (c.ids().length - cut.size < 3) {
        const s = c.rng.pick(c.ids());
        if (cut.delete(s)) c.reconnect(s);
      }
    }
    c.heal();
    c.network.configure({ dropRate: 0, dupRate: 0, reorderRate: 0 });
    c.agree('f8u-end');
    const order = c.applied(c.awaitLeader());
    for (const id of c.ids()) expect(c.applied(id)).toEqual(order);
    expect(order.length).toBeGreaterThan(2);
  });
});

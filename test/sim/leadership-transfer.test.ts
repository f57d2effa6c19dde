// Handing leadership to a chosen member (Raft thesis §3.10): the leader brings
// the target up to date, sends it TimeoutNow, and the target wins at once.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';

function others(ids: NodeId[], ...but: NodeId[]): NodeId[] {
  return ids.filter((id) => !but.includes(id));
}

describe('Leadership transfer', () => {
  it('hands leadership to a caught-up follower faster than an election timeout', () => {
    const c = new SimCluster({ seed: 801, nodes: 3 });
    const leader = c.awaitLeader();
    c.agree('t1');
    const target = others(c.ids(), leader)[0]!;
    const term = c.status(leader).term;

    c.raft(leader).transferLeadership(target);
    const ticks = c.runUntil(() => c.leader() === target, 2 * c.electionTicks, `${target} leading`);
    expect(ticks).toBeLessThan(c.electionTicks);
    expect(c.network.stats.byType.TimeoutNow).toBeGreaterThanOrEqual(1);
    expect(c.status(target).term).toBe(term + 1);
    c.run(2);
    expect(c.status(leader).role).toBe('follower');
    expect(c.status(leader).leaderId).toBe(target);
    c.agree('t2');
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['t1', 't2']);
  });

  it('brings a lagging target up to date before handing over', () => {
    const c = new SimCluster({ seed: 802, nodes: 3 });
    const leader = c.awaitLeader();
    const target = others(c.ids(), leader)[0]!;
    c.isolate(target);
    for (let i = 0; i < 20; i++) c.agree(`lag-${i}`, { count: 2 });
    c.reconnect(target);
    c.raft(leader).transferLeadership(target);
    c.runUntil(() => c.leader() === target, 4 * c.electionTicks, `${target} leading`);
    // The new leader holds every committed entry (Leader Completeness is also checked every tick).
    expect(c.status(target).lastIndex).toBeGreaterThanOrEqual(c.indexOf('lag-19')!);
    c.agree('after');
    expect(c.applied(target)).toHaveLength(21);
  });

  it('refuses proposals while transferring, and gives up when the target does not take over', () => {
    const c = new SimCluster({ seed: 803, nodes: 3 });
    const leader = c.awaitLeader();
    c.agree('g1');
    const target = others(c.ids(), leader)[0]!;
    c.isolate(target);
    c.raft(leader).transferLeadership(target);
    expect(c.propose(leader, 'during')).toMatchObject({ ok: false, reason: 'transferring' });

    // After an election timeout without the target taking over, the leader takes proposals again.
    c.runUntil(() => c.propose(leader, 'after-giving-up').ok, 2 * 2 * c.electionTicks, 'transfer abandoned');
    expect(c.leader()).toBe(leader);
    c.awaitApplied('after-giving-up', others(c.ids(), target));
    expect(c.indexOf('during')).toBeUndefined();
  });
});

// CheckQuorum (Raft thesis §6.2): a leader that has not heard from a majority
// within an election timeout steps down, so clients stop waiting on it.

import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.ts';

describe('CheckQuorum', () => {
  it('makes a leader cut off from the majority step down within an election timeout or two', () => {
    // Awake: a quiescent leader cut off silently first waits for its quiet round (test/sim/quiescence.test.ts).
    const c = new SimCluster({ seed: 1101, nodes: 3, tuning: { quiesce: false } });
    const leader = c.awaitLeader();
    c.agree('q1');
    const term = c.status(leader).term;

    c.isolate(leader);
    const ticks = c.runUntil(() => c.status(leader).role !== 'leader', 4 * c.electionTicks, `${leader} stepping down`);
    expect(ticks).toBeLessThanOrEqual(2 * 2 * c.electionTicks);
    expect(c.status(leader).role).toBe('follower');
    // It steps down without raising its term (PreVote keeps it there while it is alone).
    c.run(4 * c.electionTicks);
    expect(c.status(leader).term).toBe(term);
    expect(c.propose(leader, 'refused')).toMatchObject({ ok: false, reason: 'not-leader' });
  });

  it('keeps a leader that hears from a majority, even with one follower gone', () => {
    const c = new SimCluster({ seed: 1102, nodes: 3 });
    const leader = c.awaitLeader();
    const term = c.status(leader).term;
    c.isolate(c.ids().find((id) => id !== leader)!);
    c.run(10 * c.electionTicks);
    expect(c.status(leader)).toMatchObject({ role: 'leader', term });
  });

  it('without CheckQuorum, the cut-off leader keeps believing it leads', () => {
    const c = new SimCluster({ seed: 1103, nodes: 3, tuning: { checkQuorum: false } });
    const leader = c.awaitLeader();
    c.isolate(leader);
    c.run(10 * c.electionTicks);
    expect(c.status(leader).role).toBe('leader');
  });
});

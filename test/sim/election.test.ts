// Leader election on the simulated network (after the 6.5840 lab's 3A tests).
// Reference: Raft paper §5.2.

import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.ts';

describe('Election', () => {
  it('elects one leader at startup and keeps it while nothing fails', () => {
    const c = new SimCluster({ seed: 101, nodes: 3 });
    const leader = c.awaitLeader(undefined, 4 * c.electionTicks);
    const term = c.status(leader).term;
    expect(term).toBeGreaterThanOrEqual(1);

    // Every node learns the leader and its term from the first heartbeats.
    c.runUntil(() => c.ids().every((id) => c.status(id).leaderId === leader), 2 * c.electionTicks, 'leader known');
    for (const id of c.ids()) expect(c.status(id).term).toBe(term);

    // No failure, no new election: ten election timeouts later nothing changed.
    c.run(10 * 2 * c.electionTicks);
    expect(c.leaders()).toEqual([leader]);
    for (const id of c.ids()) {
      expect(c.status(id).term).toBe(term);
      expect(c.status(id).role).toBe(id === leader ? 'leader' : 'follower');
    }
  });

  it('re-elects when the leader is cut off, and the old leader rejoins as a follower', () => {
    const c = new SimCluster({ seed: 102, nodes: 3 });
    const ids = c.ids();
    const leader1 = c.awaitLeader();

    // The leader is cut off: the other two elect a new leader.
    c.isolate(leader1);
    const rest = ids.filter((id) => id !== leader1);
    const leader2 = c.awaitLeader(rest);
    expect(leader2).not.toBe(leader1);
    expect(c.status(leader2).term).toBeGreaterThan(c.status(leader1).term);

    // The old leader comes back: it must not disturb the new one.
    c.reconnect(leader1);
    c.run(4 * c.electionTicks);
    expect(c.leaders()).toEqual([leader2]);
    expect(c.status(leader1).role).toBe('follower');
    expect(c.status(leader1).leaderId).toBe(leader2);

    // No quorum, no leader.
    const other = rest.find((id) => id !== leader2)!;
    c.isolate(leader2);
    c.isolate(other);
    c.run(4 * c.electionTicks);
    expect(c.leaders([leader1])).toEqual([]);
    expect(c.leaders([other])).toEqual([]);

    // A quorum again: a leader again.
    c.reconnect(other);
    const leader3 = c.awaitLeader([leader1, other]);
    expect([leader1, other]).toContain(leader3);

    // Everyone back: still exactly one leader.
    c.reconnect(leader2);
    c.run(4 * c.electionTicks);
    expect(c.leaders()).toEqual([c.awaitLeader()]);
  });

  it('elects exactly one leader while random minorities are cut off, again and again', () => {
    const c = new SimCluster({ seed: 103, nodes: 7 });
    c.awaitLeader();
    for (let round = 0; round < 10; round++) {
      const cut = c.rng.shuffle(c.ids()).slice(0, 3);
      for (const id of cut) c.isolate(id);
      const majority = c.ids().filter((id) => !cut.includes(id));
      const leader = c.awaitLeader(majority);
      expect(majority).toContain(leader);
      for (const id of cut) c.reconnect(id);
    }
    const leader = c.awaitLeader();
    c.run(4 * c.electionTicks);
    expect(c.leaders()).toEqual([leader]);
  });
});

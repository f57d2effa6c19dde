// Crashes and restarts: only what a node persisted survives (after the 6.5840
// lab's 3C tests). Reference: Raft paper §5.6 and Figure 2 (persistent state).

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';

function others(ids: NodeId[], ...but: NodeId[]): NodeId[] {
  return ids.filter((id) => !but.includes(id));
}

describe('Persistence', () => {
  it('keeps every committed entry through crashes of all nodes, of the leader and of followers', () => {
    const c = new SimCluster({ seed: 301, nodes: 3 });
    c.agree('p1');

    // All crash; all restart from storage and replay the committed entries into fresh state machines.
    for (const id of c.ids()) c.crash(id);
    for (const id of c.ids()) {
      c.restart(id);
      expect(c.get(id).sm!.appliedIndex).toBe(0);
      expect(c.get(id).storage.entries.length).toBeGreaterThanOrEqual(2);
    }
    c.agree('p2');
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['p1', 'p2']);

    // The leader crashes and restarts.
    const leader1 = c.awaitLeader();
    c.crash(leader1);
    c.restart(leader1);
    c.agree('p3');

    // The leader crashes and stays down; the others go on; it returns.
    const leader2 = c.awaitLeader();
    c.crash(leader2);
    c.agree('p4', { count: 2 });
    c.restart(leader2);
    c.agree('p5');

    // A follower crashes and stays down; it returns.
    const leader3 = c.awaitLeader();
    const f = others(c.ids(), leader3)[0]!;
    c.crash(f);
    c.agree('p6', { count: 2 });
    c.restart(f);
    c.agree('p7');
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  });

  it('elects a node that holds every committed entry after most of the cluster crashed', () => {
    const c = new SimCluster({ seed: 302, nodes: 5 });
    c.agree('q0');
    for (let round = 1; round <= 5; round++) {
      const leader = c.awaitLeader();
      const ids = c.ids();
      const at = (k: number): NodeId => ids[(ids.indexOf(leader) + k) % ids.length]!;
      // Two crash; the other three commit without them.
      c.crash(at(1));
      c.crash(at(2));
      c.agree(`q${round}`, { count: 3 });
      // The three that have the entry crash too; the two that lack it come back, with one that has it.
      c.crash(at(0));
      c.crash(at(3));
      c.crash(at(4));
      c.restart(at(1));
      c.restart(at(2));
      c.run(c.electionTicks);
      c.restart(at(3));
      c.agree(`q${round}b`, { count: 3 });
      c.restart(at(4));
      c.restart(at(0));
    }
    c.agree('q-end');
    const expected = c.applied(c.awaitLeader());
    for (const id of c.ids()) expect(c.applied(id)).toEqual(expected);
    expect(expected).toHaveLength(12);
  });

  it('lets a crashed leader and follower come back to a partner that kept going', () => {
    const c = new SimCluster({ seed: 303, nodes: 3 });
    c.agree('x1');
    const leader = c.awaitLeader();
    const [f1, f2] = others(c.ids(), leader) as [NodeId, NodeId];

    c.isolate(f2);
    c.agree('x2', { nodes: [leader, f1] });
    c.crash(leader);
    c.crash(f1);
    c.reconnect(f2);
    c.restart(leader);
    // f2 lacks x2; only the restarted leader can carry it on.
    c.agree('x3', { nodes: [leader, f2] });
    c.restart(f1);
    c.agree('x4');
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['x1', 'x2', 'x3', 'x4']);
  });

  it('keeps its vote and term across a restart', () => {
    const c = new SimCluster({ seed: 304, nodes: 3 });
    const leader = c.awaitLeader();
    const st = c.status(leader);
    for (const id of c.ids()) c.crash(id);
    for (const id of c.ids()) {
      c.restart(id);
      expect(c.status(id).term).toBe(st.term);
      expect(c.status(id).votedFor).toBe(c.get(id).storage.hardState.votedFor);
    }
    expect(c.status(leader).votedFor).toBe(leader);
    c.agree('after');
    expect(c.status(c.awaitLeader()).term).toBeGreaterThan(st.term);
  });
});

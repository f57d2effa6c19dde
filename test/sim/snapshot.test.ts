// Log compaction and InstallSnapshot (after the 6.5840 lab's 3D tests).
// Reference: Raft paper §7.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';
import { UNRELIABLE } from './sim-network.ts';

function others(ids: NodeId[], ...but: NodeId[]): NodeId[] {
  return ids.filter((id) => !but.includes(id));
}

describe('Snapshots', () => {
  it('compacts every log as entries are applied and keeps agreeing', () => {
    const c = new SimCluster({ seed: 601, nodes: 3, compactEvery: 10 });
    for (let i = 0; i < 45; i++) c.agree(`s${i}`);
    for (const id of c.ids()) {
      const s = c.get(id).storage;
      expect(s.snapshot).not.toBeNull();
      expect(s.snapshot!.index).toBeGreaterThanOrEqual(c.appliedIndex(id) - 10);
      expect(s.entries.length).toBeLessThanOrEqual(2 * 10);
      expect(c.status(id).firstIndex).toBeGreaterThan(1);
      expect(c.applied(id)).toHaveLength(45);
    }
  });

  for (const unreliable of [false, true]) {
    it(`sends a snapshot to a follower that fell behind the leader's log${unreliable ? ' on an unreliable network' : ''}`, () => {
      const c = new SimCluster({ seed: unreliable ? 603 : 602, nodes: 3, compactEvery: 10, network: unreliable ? UNRELIABLE : {} });
      c.agree('i0');
      const leader = c.awaitLeader();
      const f = others(c.ids(), leader)[0]!;
      c.isolate(f);
      for (let i = 1; i <= 50; i++) c.agree(`i${i}`, { count: 2 });
      const before = c.appliedIndex(f);
      // What the follower lacks is gone from every log but in snapshots.
      for (const id of others(c.ids(), f)) expect(c.get(id).storage.firstIndex()).toBeGreaterThan(before + 1);

      let snapshots = 0;
      c.network.listen((ev) => {
        if (ev.kind === 'deliver' && ev.message.type === 'InstallSnapshot' && ev.message.to === f) snapshots++;
      });
      c.reconnect(f);
      c.agree('i-end');
      expect(snapshots).toBeGreaterThanOrEqual(1);
      expect(c.get(f).storage.snapshot!.index).toBeGreaterThan(before);
      expect(c.applied(f)).toEqual(c.applied(c.awaitLeader()));
      // 52 commands (one may be applied twice where a lost proposal had to be made again).
      expect(new Set(c.applied(f)).size).toBe(52);
    });
  }

  it('restarts from a snapshot and the log after it, and re-applies what follows the snapshot', () => {
    const c = new SimCluster({ seed: 604, nodes: 3, compactEvery: 10 });
    for (let i = 0; i < 25; i++) c.agree(`c${i}`);
    const leader = c.awaitLeader();
    const f = others(c.ids(), leader)[0]!;
    const applied = c.applied(f);
    const snap = c.get(f).storage.snapshot!;
    expect(snap.index).toBeGreaterThan(0);

    c.crash(f);
    c.restart(f);
    // The state machine starts from the snapshot, then takes the committed entries after it again.
    expect(c.get(f).sm!.appliedIndex).toBe(snap.index);
    expect(c.status(f).appliedIndex).toBe(snap.index);
    c.runUntil(() => c.applied(f).length === applied.length, 4 * c.electionTicks, 'replay after restart');
    expect(c.applied(f)).toEqual(applied);

    // Every node crashes and restarts from its snapshot.
    for (const id of c.ids()) c.crash(id);
    for (const id of c.ids()) c.restart(id);
    c.agree('c-all');

    // A follower crashes, misses more than a snapshot's worth, restarts: it needs the leader's snapshot.
    const l2 = c.awaitLeader();
    const g = others(c.ids(), l2)[0]!;
    c.crash(g);
    for (let i = 0; i < 30; i++) c.agree(`d${i}`, { count: 2 });
    c.restart(g);
    c.agree('d-end');
    expect(c.applied(g)).toEqual(c.applied(l2));
    expect(c.applied(g)).toHaveLength(57);
  });

  it('survives every node crashing again and again with small snapshots', () => {
    const c = new SimCluster({ seed: 605, nodes: 3, compactEvery: 3 });
    let n = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 11; i++) c.agree(`e${n++}`, { count: 1 });
      for (const id of c.ids()) c.crash(id);
      for (const id of c.ids()) c.restart(id);
    }
    c.agree(`e${n++}`);
    const expected = Array.from({ length: n }, (_, i) => `e${i}`);
    for (const id of c.ids()) expect(c.applied(id)).toEqual(expected);
  });

  it('catches a new member with an empty log up from the snapshot once the log it needs is compacted', () => {
    const c = new SimCluster({ seed: 606, nodes: 3, compactEvery: 4 });
    for (let i = 0; i < 10; i++) c.agree(`j${i}`);
    const leader = c.awaitLeader();
    expect(c.get(leader).storage.firstIndex()).toBeGreaterThan(1);
    c.addNode('n4', c.ids().filter((id) => id !== 'n4'));
    expect(c.changeMembership(leader, { type: 'addLearner', id: 'n4' }).ok).toBe(true);
    c.agree('j-end');
    expect(c.get('n4').storage.snapshot).not.toBeNull();
    expect(c.applied('n4')).toEqual(c.applied(leader));
    expect(c.applied('n4')).toHaveLength(11);
  });
});

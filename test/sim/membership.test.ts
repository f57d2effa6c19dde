// Single-server membership changes (Raft thesis §4.1, §4.2.2): a new peer joins
// as a learner, catches up without voting, is promoted; voters are removed, the
// leader included, which hands leadership over.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';

function others(ids: NodeId[], ...but: NodeId[]): NodeId[] {
  return ids.filter((id) => !but.includes(id));
}

/** applyChange asks the leader for a change and waits until every running member has applied its config entry. */
function applyChange(c: SimCluster, change: { type: 'addLearner' | 'addVoter' | 'remove'; id: NodeId }, among?: NodeId[]): number {
  const leader = c.awaitLeader(among);
  const r = c.changeMembership(leader, change);
  expect(r.ok, JSON.stringify(r)).toBe(true);
  const index = r.ok ? r.index : 0;
  const members = (among ?? c.liveIds()).filter((id) => id !== change.id || change.type !== 'remove');
  c.runUntil(() => members.every((id) => c.appliedIndex(id) >= index), 20 * c.electionTicks, `config ${change.type} ${change.id} applied`);
  return index;
}

describe('Membership changes', () => {
  it('adds a learner that catches up without voting, then promotes it to a voter that counts', () => {
    const c = new SimCluster({ seed: 901, nodes: 3 });
    for (let i = 0; i < 10; i++) c.agree(`m${i}`);
    const voters = c.ids();
    c.addNode('n4', voters);
    // Not yet a member: it stays quiet and does not campaign.
    c.run(4 * c.electionTicks);
    expect(c.status('n4')).toMatchObject({ role: 'follower', term: 0 });

    applyChange(c, { type: 'addLearner', id: 'n4' });
    c.agree('with-learner');
    expect(c.applied('n4')).toEqual(c.applied(c.awaitLeader()));
    expect(c.status('n4').membership).toEqual({ voters: expect.arrayContaining(voters), learners: ['n4'] });

    // A learner cut off from the leader never campaigns.
    const term = c.status('n4').term;
    c.isolate('n4');
    c.run(6 * c.electionTicks);
    expect(c.status('n4').role).toBe('follower');
    expect(c.status('n4').term).toBe(term);
    c.reconnect('n4');

    applyChange(c, { type: 'addVoter', id: 'n4' });
    const leader = c.awaitLeader();
    expect([...c.status(leader).membership.voters].sort()).toEqual([...voters, 'n4'].sort());
    expect(Object.keys(c.status(leader).progress ?? {})).toContain('n4');
    // Four voters need three: with one old follower cut off, n4's acknowledgement is the one that counts.
    const old = others(voters, leader)[0]!;
    c.isolate(old);
    c.agree('needs-n4', { nodes: others(c.ids(), old) });
    c.isolate('n4');
    expect(c.propose(leader, 'no-quorum').ok).toBe(true);
    c.run(4 * c.electionTicks);
    expect(c.indexOf('no-quorum')).toBeUndefined();
  });

  it('removes a follower, which then counts no more and does not disturb the cluster', () => {
    const c = new SimCluster({ seed: 902, nodes: 5 });
    c.agree('r0');
    const leader = c.awaitLeader();
    const gone = others(c.ids(), leader)[0]!;
    applyChange(c, { type: 'remove', id: gone });
    const rest = others(c.ids(), gone);
    expect(c.status(leader).membership.voters).not.toContain(gone);
    expect(Object.keys(c.status(leader).progress ?? {})).not.toContain(gone);

    // Four voters: three are a quorum, two are not.
    const [x, y] = others(rest, leader) as [NodeId, NodeId];
    c.isolate(x);
    c.agree('r1', { nodes: others(rest, x) });
    c.isolate(y);
    expect(c.propose(leader, 'r-no-quorum').ok).toBe(true);
    c.run(4 * c.electionTicks);
    expect(c.indexOf('r-no-quorum')).toBeUndefined();
    c.reconnect(x);
    c.reconnect(y);
    c.agree('r2', { nodes: rest });

    // The removed node still runs, hears nothing, and must not disrupt the term of the others.
    const l = c.awaitLeader(rest);
    const term = c.status(l).term;
    c.run(10 * c.electionTicks);
    expect(c.leader(rest)).toBe(l);
    expect(c.status(l).term).toBe(term);
    expect(c.applied(gone)).not.toContain('r2');
  });

  it('hands leadership over when the leader removes itself', () => {
    const c = new SimCluster({ seed: 903, nodes: 3 });
    c.agree('s0');
    const leader = c.awaitLeader();
    const r = c.changeMembership(leader, { type: 'remove', id: leader });
    expect(r.ok).toBe(true);
    const rest = others(c.ids(), leader);
    // Handed over (TimeoutNow), not left to an election timeout.
    const before = c.network.stats.byType.TimeoutNow;
    const next = c.awaitLeader(rest, c.electionTicks);
    expect(next).not.toBe(leader);
    expect(c.network.stats.byType.TimeoutNow).toBeGreaterThan(before);
    expect(c.status(next).membership.voters).not.toContain(leader);
    c.agree('s1', { nodes: rest, among: rest });
    const term = c.status(next).term;
    c.run(10 * c.electionTicks);
    expect(c.status(leader).role).not.toBe('leader');
    expect(c.status(next).term).toBe(term);
    expect(c.leader(rest)).toBe(next);
  });

  it('takes one membership change at a time, and none before the leader commits in its term', () => {
    const c = new SimCluster({ seed: 904, nodes: 3 });
    // Just elected: its noop is not committed yet.
    const leader = c.awaitLeader();
    expect(c.changeMembership(leader, { type: 'addLearner', id: 'n4' }))
      .toMatchObject({ ok: false, reason: 'config-change-pending' });
    c.agree('u0');
    c.addNode('n4', c.ids().filter((id) => id !== 'n4'));
    c.addNode('n5', c.ids().filter((id) => id !== 'n4' && id !== 'n5'));
    expect(c.changeMembership(leader, { type: 'addLearner', id: 'n4' }).ok).toBe(true);
    expect(c.changeMembership(leader, { type: 'addLearner', id: 'n5' }))
      .toMatchObject({ ok: false, reason: 'config-change-pending' });
    c.runUntil(() => c.changeMembership(leader, { type: 'addLearner', id: 'n5' }).ok, 4 * c.electionTicks, 'second change accepted');
    c.agree('u1');
    expect(c.status(leader).membership.learners.sort()).toEqual(['n4', 'n5']);
    // Followers refuse changes.
    expect(c.changeMembership(others(c.ids(), leader, 'n4', 'n5')[0]!, { type: 'remove', id: 'n5' }))
      .toMatchObject({ ok: false, reason: 'not-leader', leaderId: leader });
  });
});

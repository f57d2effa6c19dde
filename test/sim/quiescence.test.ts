// Quiescence (after CockroachDB's quiesced ranges): once every member that
// answers has the whole log, the leader stops heartbeating and sends only a
// quiet heartbeat now and then; its followers' election timers wait. The group
// must wake on a proposal, on any other message, on a lost connection (the
// driver's wake()) and on a restart, and a leader that dies or vanishes must
// still be replaced: at once when a connection tells, after the quiet timeout
// when nothing does.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';

/** quiesced makes a fresh 3-node cluster agree on one command, then waits until every node is quiescent. */
function quiesced(seed: number): { c: SimCluster; leader: NodeId } {
  const c = new SimCluster({ seed, nodes: 3 });
  const leader = c.awaitLeader();
  c.agree('before');
  c.runUntil(() => c.liveIds().every((id) => c.status(id).quiescent), 10 * c.electionTicks, 'every node quiescent');
  return { c, leader };
}

/** The defaults of RaftOptions, for electionTicks 15. */
const QUIET_HEARTBEAT = 5 * 15;
const QUIET_TIMEOUT = 4 * QUIET_HEARTBEAT;

describe('Quiescence', () => {
  it('quiets an idle group: only quiet heartbeats, answered, and no election', () => {
    const { c, leader } = quiesced(1301);
    const term = c.status(leader).term;
    c.network.resetStats();
    c.run(10 * QUIET_HEARTBEAT);
    const followers = 2;
    // One quiet heartbeat and its answer per follower per quiet interval; awake, it would be 15 times that.
    expect(c.network.stats.sent).toBeLessThanOrEqual((10 + 1) * followers * 2);
    expect(c.network.stats.sent).toBeGreaterThanOrEqual((10 - 1) * followers * 2);
    expect(c.network.stats.byType.RequestVote ?? 0).toBe(0);
    for (const id of c.ids()) expect(c.status(id)).toMatchObject({ quiescent: true, term, leaderId: leader });
  });

  it('stays awake when quiescence is off', () => {
    const c = new SimCluster({ seed: 1302, nodes: 3, tuning: { quiesce: false } });
    c.awaitLeader();
    c.agree('x');
    c.run(5 * QUIET_HEARTBEAT);
    expect(c.liveIds().some((id) => c.status(id).quiescent)).toBe(false);
  });

  it('wakes on a proposal, which commits everywhere within a few ticks', () => {
    const { c, leader } = quiesced(1303);
    c.run(QUIET_HEARTBEAT / 2);
    expect(c.propose(leader, 'wake up')).toMatchObject({ ok: true });
    const ticks = c.runUntil(() => c.ids().every((id) => c.hasApplied(id, 'wake up')), 10, 'the proposal applied everywhere');
    expect(ticks).toBeLessThanOrEqual(4);
    expect(c.status(leader).quiescent).toBe(false);
    // And quiets again once idle.
    c.runUntil(() => c.liveIds().every((id) => c.status(id).quiescent), 10 * c.electionTicks, 'quiescent again');
  });

  it('replaces a crashed leader within an election timeout or two when the followers are told (lost connection)', () => {
    const { c, leader } = quiesced(1304);
    const followers = c.ids().filter((id) => id !== leader);
    c.crash(leader);
    for (const id of followers) c.raft(id).wake();
    const ticks = c.runUntil(() => c.leader(followers) !== null, 8 * c.electionTicks, 'a new leader');
    expect(ticks).toBeLessThanOrEqual(2 * 2 * c.electionTicks + 5);
    c.agree('after failover', { nodes: followers });
  });

  it('replaces a leader that vanished silently after the quiet timeout', () => {
    const { c, leader } = quiesced(1305);
    const followers = c.ids().filter((id) => id !== leader);
    c.isolate(leader); // no connection closes: nobody is told
    const ticks = c.runUntil(() => c.leader(followers) !== null, QUIET_TIMEOUT + 8 * c.electionTicks, 'a new leader');
    expect(ticks).toBeGreaterThanOrEqual(QUIET_TIMEOUT - QUIET_HEARTBEAT); // they did wait: quiet, not awake
    expect(ticks).toBeLessThanOrEqual(QUIET_TIMEOUT + 2 * 2 * c.electionTicks + 5);
    c.agree('majority goes on', { nodes: followers });
    // The old leader, cut off, steps down after its next quiet round finds no answer and CheckQuorum runs,
    // without raising its term, and commits nothing meanwhile.
    c.runUntil(() => c.status(leader).role !== 'leader', QUIET_HEARTBEAT + 4 * c.electionTicks, `${leader} stepping down`);
    expect(c.hasApplied(leader, 'majority goes on')).toBe(false);
    c.heal();
    c.agree('all again', { nodes: c.ids() });
  });

  it('lets a follower woken alone (its connection lost) neither depose a live leader nor stay lost', () => {
    const { c, leader } = quiesced(1306);
    const follower = c.ids().find((id) => id !== leader)!;
    const term = c.status(leader).term;
    c.raft(follower).wake();
    c.run(QUIET_TIMEOUT + 4 * c.electionTicks);
    expect(c.status(leader)).toMatchObject({ role: 'leader', term });
    expect(c.status(follower).leaderId).toBe(leader);
    c.agree('still one leader', { nodes: c.ids() });
  });

  it('catches up a member that was away while the group quiesced without it', () => {
    const { c, leader } = quiesced(1307);
    const away = c.ids().find((id) => id !== leader)!;
    c.isolate(away);
    const present = c.ids().filter((id) => id !== away);
    c.agree('while away', { nodes: present });
    c.runUntil(() => present.every((id) => c.status(id).quiescent), 20 * c.electionTicks, 'the two present quiescent');
    c.run(2 * QUIET_HEARTBEAT);
    c.reconnect(away);
    // Within a quiet round the leader hears from it (its answer, or its pre-vote), wakes and sends what it lacks.
    c.runUntil(() => c.hasApplied(away, 'while away'), QUIET_HEARTBEAT + 4 * c.electionTicks, `${away} catching up`);
    expect(c.status(leader).role).toBe('leader');
  });

  it('wakes a restarted follower and brings it the entries it missed', () => {
    const { c, leader } = quiesced(1308);
    const follower = c.ids().find((id) => id !== leader)!;
    c.crash(follower);
    c.agree('while down', { nodes: [leader] , count: 2 });
    c.run(2 * QUIET_HEARTBEAT);
    c.restart(follower);
    expect(c.status(follower).quiescent).toBe(false);
    c.runUntil(() => c.hasApplied(follower, 'while down'), QUIET_HEARTBEAT + 4 * c.electionTicks, `${follower} catching up`);
  });
});

// Log replication on the simulated network (after the 6.5840 lab's 3B tests).
// Reference: Raft paper §5.3 (replication), §5.4 (safety), §5.3 end (fast backup).

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/raft/index.ts';
import { SimCluster } from './sim-cluster.ts';

/** others lists the ids in `ids` that are not in `but`. */
function others(ids: NodeId[], ...but: NodeId[]): NodeId[] {
  return ids.filter((id) => !but.includes(id));
}

describe('Agreement', () => {
  it('commits proposals on every node, in order, at consecutive indexes', () => {
    const c = new SimCluster({ seed: 201, nodes: 3 });
    c.awaitLeader();
    let last = 0;
    for (const cmd of ['a1', 'a2', 'a3']) {
      for (const id of c.ids()) expect(c.applied(id)).not.toContain(cmd);
      const index = c.agree(cmd);
      if (last > 0) expect(index).toBe(last + 1);
      last = index;
    }
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['a1', 'a2', 'a3']);
  });

  it('commits proposals made at every node at once, each exactly once and in one order', () => {
    const c = new SimCluster({ seed: 202, nodes: 5 });
    const leader = c.awaitLeader();
    c.agree('warm-up');
    const term = c.status(leader).term;
    const sent: string[] = [];
    // Five clients, each at its own node, four proposals each, all in the same tick.
    for (let k = 0; k < 4; k++) {
      for (const id of c.ids()) {
        const cmd = `c-${id}-${k}`;
        const r = c.submit(cmd, id);
        expect(r).toMatchObject({ ok: true, term });
        sent.push(cmd);
      }
    }
    c.runUntil(() => c.ids().every((id) => sent.every((cmd) => c.hasApplied(id, cmd))), 10 * c.electionTicks, 'all applied');
    const order = c.applied(leader);
    expect([...order].sort()).toEqual(['warm-up', ...sent].sort());
    for (const id of c.ids()) expect(c.applied(id)).toEqual(order);
    expect(c.status(leader).term).toBe(term);
  });

  it('keeps agreeing while a follower is cut off, and commits nothing without a majority', () => {
    const c = new SimCluster({ seed: 203, nodes: 3 });
    const leader = c.awaitLeader();
    c.agree('f1');
    const [f1, f2] = others(c.ids(), leader) as [NodeId, NodeId];

    c.isolate(f1);
    c.agree('f2', { nodes: [leader, f2] });
    c.run(2 * c.electionTicks);
    c.agree('f3', { nodes: [leader, f2] });
    expect(c.leaders([leader, f2])).toEqual([leader]);

    c.isolate(f2);
    const r = c.propose(leader, 'f4');
    expect(r.ok).toBe(true);
    c.run(4 * c.electionTicks);
    expect(c.indexOf('f4')).toBeUndefined();
    for (const id of c.ids()) expect(c.applied(id)).not.toContain('f4');
  });

  it('elects a new leader when the leader is cut off, and commits nothing without a majority', () => {
    const c = new SimCluster({ seed: 204, nodes: 3 });
    const leader1 = c.awaitLeader();
    c.agree('l1');

    c.isolate(leader1);
    const rest = others(c.ids(), leader1);
    const leader2 = c.awaitLeader(rest);
    c.agree('l2', { nodes: rest, among: rest });

    c.isolate(leader2);
    for (const id of c.leaders()) c.propose(id, `l3-at-${id}`);
    c.run(4 * c.electionTicks);
    expect(c.checker.maxCommittedIndex()).toBe(c.indexOf('l2'));
  });

  it('brings a follower that was cut off up to date when it returns', () => {
    const c = new SimCluster({ seed: 205, nodes: 3 });
    const leader = c.awaitLeader();
    c.agree('r0');
    const f = others(c.ids(), leader)[0]!;
    c.isolate(f);
    for (let i = 1; i <= 5; i++) c.agree(`r${i}`, { count: 2 });
    expect(c.applied(f)).toEqual(['r0']);
    c.reconnect(f);
    c.agree('r6');
    expect(c.applied(f)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('brings a follower whose acknowledgement was lost up to date without a new proposal', () => {
    const c = new SimCluster({ seed: 210, nodes: 3 });
    const leader = c.awaitLeader();
    c.agree('k1');
    const [f1, f2] = others(c.ids(), leader) as [NodeId, NodeId];
    // f1 receives the entry but its answer is lost (Raft §5.3: the leader retries until every follower stores it).
    c.network.cut(f1, leader, true);
    expect(c.propose(leader, 'k2').ok).toBe(true);
    c.awaitApplied('k2', [leader, f2]);
    c.run(2);
    c.network.uncut(f1, leader);
    c.awaitApplied('k2', [f1], 6 * c.electionTicks);
    expect(c.applied(f1)).toEqual(['k1', 'k2']);
  });

  it('commits nothing while a majority is cut off, and agrees again once it returns', () => {
    const c = new SimCluster({ seed: 206, nodes: 5 });
    const leader = c.awaitLeader();
    c.agree('n1');
    const cut = others(c.ids(), leader).slice(0, 3);
    for (const id of cut) c.isolate(id);

    const r = c.propose(leader, 'n2');
    expect(r.ok).toBe(true);
    const index = r.ok ? r.index : 0;
    c.run(4 * c.electionTicks);
    expect(c.checker.committedAt(index)).toBeUndefined();
    expect(c.indexOf('n2')).toBeUndefined();

    for (const id of cut) c.reconnect(id);
    const index3 = c.agree('n3');
    // n2 either survives (and commits before n3) or is replaced; either way n3 lands just after.
    expect(index3).toBeGreaterThanOrEqual(index);
    expect(index3).toBeLessThanOrEqual(index + 2);
    const n2 = c.indexOf('n2');
    if (n2 !== undefined) expect(n2).toBeLessThan(index3);
  });

  it('lets a leader that was partitioned away rejoin without breaking agreement', () => {
    const c = new SimCluster({ seed: 207, nodes: 3 });
    const leader1 = c.awaitLeader();
    c.agree('j1');

    // The leader is cut off and takes proposals that can never commit.
    c.isolate(leader1);
    for (const cmd of ['lost-1', 'lost-2', 'lost-3']) expect(c.propose(leader1, cmd).ok).toBe(true);
    const rest = others(c.ids(), leader1);
    const leader2 = c.awaitLeader(rest);
    c.agree('j2', { nodes: rest, among: rest });

    // The new leader is cut off; the old one returns and agrees with the third node.
    c.isolate(leader2);
    c.reconnect(leader1);
    const pair = others(c.ids(), leader2);
    c.agree('j3', { nodes: pair, among: pair });

    c.reconnect(leader2);
    c.agree('j4');
    for (const id of c.ids()) expect(c.applied(id)).toEqual(['j1', 'j2', 'j3', 'j4']);
  });

  it('backs a follower up over more than 50 wrong entries in a few rounds', () => {
    const c = new SimCluster({ seed: 208, nodes: 5 });
    c.agree('b0');
    const leader1 = c.awaitLeader();
    const [a, b, d, e] = others(c.ids(), leader1) as [NodeId, NodeId, NodeId, NodeId];

    // The leader and one follower are partitioned off and take 50 proposals that cannot commit.
    c.partition([leader1, a], [b, d, e]);
    for (let i = 0; i < 50; i++) c.propose(leader1, `dead-1-${i}`);
    c.run(2 * c.electionTicks);

    // The other three elect a leader and commit 50 entries.
    const group = [b, d, e];
    c.awaitLeader(group);
    for (let i = 0; i < 50; i++) c.submit(`live-1-${i}`, c.leader(group)!);
    c.awaitApplied('live-1-49', group);

    // That leader and one follower are cut off in turn and take 50 more that cannot commit.
    const leader2 = c.leader(group)!;
    const other = others(group, leader2)[0]!;
    const third = others(group, leader2, other)[0]!;
    c.partition([leader2, third], [leader1, a, other]);
    for (let i = 0; i < 50; i++) c.propose(leader2, `dead-2-${i}`);
    c.run(2 * c.electionTicks);

    // The first leader's pair rejoins with `other`, which holds the 50 committed entries.
    const group2 = [leader1, a, other];
    c.awaitLeader(group2);
    for (let i = 0; i < 50; i++) c.submit(`live-2-${i}`, c.leader(group2)!);
    c.awaitApplied('live-2-49', group2);
    // A leader elected now starts every follower's probe at its own last index, far past the agreement point.
    const l3 = c.leader(group2)!;
    const repairer = others(group2, l3)[0]!;
    c.raft(l3).transferLeadership(repairer);
    c.runUntil(() => c.leader(group2) === repairer, 4 * c.electionTicks, 'transfer within the group');

    // Everyone together: the stale logs must be backed up over 50+ entries each, fast.
    const stale = (id: NodeId, prefix: string): number =>
      c.get(id).storage.entries.filter((e) => new TextDecoder().decode(e.data).startsWith(prefix)).length;
    expect(stale(leader2, 'dead-2-')).toBeGreaterThanOrEqual(50);
    expect(stale(third, 'dead-2-')).toBeGreaterThanOrEqual(50);
    let rejections = 0;
    const perFollower = new Map<NodeId, number>();
    c.network.listen((ev) => {
      if (ev.kind === 'deliver' && ev.message.type === 'AppendEntriesResponse' && !ev.message.success) {
        rejections++;
        perFollower.set(ev.message.from, (perFollower.get(ev.message.from) ?? 0) + 1);
      }
    });
    c.heal();
    const start = c.now;
    c.agree('b-final');
    // Backing up one entry per round trip would take 50+ rounds; a few election timeouts is plenty.
    expect(c.now - start).toBeLessThan(6 * c.electionTicks);
    for (const id of c.ids()) expect(c.applied(id)).toEqual(c.applied(c.leader()!));
    for (const id of c.ids()) expect(stale(id, 'dead-')).toBe(0);
    for (const [id, n] of perFollower) expect(n, `rejections from ${id}`).toBeLessThanOrEqual(4);
    expect(rejections).toBeLessThanOrEqual(8);
  });

  it('uses a bounded number of messages for an election, for agreements and while idle', () => {
    // Awake all along: what a quiescent group sends while idle is in test/sim/quiescence.test.ts.
    const c = new SimCluster({ seed: 209, nodes: 3, tuning: { quiesce: false } });
    const followers = c.ids().length - 1;
    const leader = c.awaitLeader();
    // PreVote and vote, request and answer, to each follower: 8 here; 30 allows a split vote or two.
    expect(c.network.stats.sent).toBeLessThanOrEqual(30);
    c.agree('m0');

    // Ten agreements, one after another: each needs an append and an answer per follower, plus
    // one more round that tells the followers the new commit index. Allow one heartbeat round on top.
    c.network.resetStats();
    const before = c.now;
    for (let i = 1; i <= 10; i++) c.agree(`m${i}`);
    const heartbeats = Math.ceil((c.now - before) / 5) + 1;
    const perFollower = 10 * 2 + heartbeats;
    expect(c.network.stats.byType.AppendEntries).toBeLessThanOrEqual(perFollower * followers);
    expect(c.network.stats.sent).toBeLessThanOrEqual(2 * perFollower * followers);
    expect(c.network.stats.byType.RequestVote).toBe(0);
    expect(c.status(leader).role).toBe('leader');

    // Ten proposals in one tick go out batched, not one message each.
    c.network.resetStats();
    for (let i = 0; i < 10; i++) c.propose(leader, `batch-${i}`);
    c.step();
    expect(c.network.stats.byType.AppendEntries).toBe(followers);
    c.awaitApplied('batch-9', c.ids());

    // Idle: one heartbeat (and its answer) per follower per heartbeat interval, no more.
    c.run(10);
    c.network.resetStats();
    c.run(100);
    expect(c.network.stats.sent).toBeLessThanOrEqual((100 / 5 + 1) * followers * 2);
    expect(c.network.stats.sent).toBeGreaterThanOrEqual((100 / 5 - 1) * followers * 2);
  });
});

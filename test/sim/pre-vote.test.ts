// PreVote (Raft thesis §9.6): a node that was cut off asks whether it could win
// before it raises its term, so when it rejoins it does not depose a healthy leader.

import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.ts';

describe('PreVote', () => {
  it('keeps a node that was cut off from raising its term, so its return does not disrupt the leader', () => {
    const c = new SimCluster({ seed: 1001, nodes: 3 });
    const leader = c.awaitLeader();
    c.agree('v1');
    const term = c.status(leader).term;
    const f = c.ids().find((id) => id !== leader)!;

    const asked = { pre: 0, real: 0 };
    const stop = c.network.listen((ev) => {
      if (ev.kind === 'send' && ev.message.type === 'RequestVote' && ev.message.from === f) {
        if (ev.message.preVote) asked.pre++;
        else asked.real++;
      }
    });
    c.isolate(f);
    c.run(10 * c.electionTicks);
    stop();
    // It campaigned, as a precandidate only, and never raised its term.
    expect(asked.pre).toBeGreaterThan(0);
    expect(asked.real).toBe(0);
    expect(c.status(f).term).toBe(term);

    c.reconnect(f);
    c.run(4 * c.electionTicks);
    expect(c.leader()).toBe(leader);
    expect(c.status(leader).term).toBe(term);
    expect(c.status(f)).toMatchObject({ role: 'follower', term, leaderId: leader });
    c.agree('v2');
  });

  it('without PreVote, the same node raises its term and forces a new election when it returns', () => {
    // The contrast that shows the check above can fail (Raft §5.1: a higher term deposes a leader).
    const c = new SimCluster({ seed: 1002, nodes: 3, tuning: { preVote: false, checkQuorum: false } });
    const leader = c.awaitLeader();
    c.agree('w1');
    const term = c.status(leader).term;
    const f = c.ids().find((id) => id !== leader)!;

    c.isolate(f);
    c.run(10 * c.electionTicks);
    const raised = c.status(f).term;
    expect(raised).toBeGreaterThan(term + 1);

    c.reconnect(f);
    c.run(4 * c.electionTicks);
    const now = c.awaitLeader();
    expect(c.status(now).term).toBeGreaterThanOrEqual(raised);
    c.agree('w2');
  });
});

// The partition story of the Raft walkthrough (the demo the app is for): five
// nodes, a leader on the minority side of a partition takes writes it can never
// commit; the majority elects its own leader and commits; when the partition
// heals the minority's uncommitted entries are replaced and all logs are equal.
// Reference: Raft paper §5.3 (log repair), §5.4.1 (election restriction).

import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.ts';

const decoder = new TextDecoder();

describe('Partition walkthrough', () => {
  it('rolls the minority back when the partition heals, and leaves every log identical', () => {
    const c = new SimCluster({ seed: 701, nodes: ['A', 'B', 'C', 'D', 'E'] });
    c.awaitLeader();
    // B leads, as in the walkthrough.
    c.raft(c.awaitLeader()).transferLeadership('B');
    c.runUntil(() => c.leader() === 'B', 4 * c.electionTicks, 'B leading');
    c.agree('SET 5');
    const termB = c.status('B').term;

    c.partition(['A', 'B'], ['C', 'D', 'E']);
    // The minority leader accepts a write it cannot commit.
    const r = c.propose('B', 'SET 3');
    expect(r).toMatchObject({ ok: true, term: termB });
    c.run(2 * c.electionTicks);
    expect(c.indexOf('SET 3')).toBeUndefined();
    expect(c.get('A').storage.entries.some((e) => decoder.decode(e.data) === 'SET 3')).toBe(true);

    // The majority elects a leader of a later term and commits a write of its own.
    const majority = ['C', 'D', 'E'];
    const leaderCDE = c.awaitLeader(majority);
    expect(c.status(leaderCDE).term).toBeGreaterThan(termB);
    c.agree('SET 8', { nodes: majority, among: majority });
    expect(c.applied('A')).toEqual(['SET 5']);
    expect(c.applied('B')).toEqual(['SET 5']);

    // Heal: A and B drop SET 3 and take the majority's log.
    c.heal();
    c.agree('SET 9');
    expect(c.leader()).not.toBe('B');
    for (const id of c.ids()) {
      expect(c.applied(id)).toEqual(['SET 5', 'SET 8', 'SET 9']);
      expect(c.get(id).storage.entries.some((e) => decoder.decode(e.data) === 'SET 3')).toBe(false);
    }
    const logs = c.ids().map((id) => c.get(id).storage.entries.map((e) => `${e.index}/${e.term}/${e.kind}/${decoder.decode(e.data)}`));
    for (const log of logs) expect(log).toEqual(logs[0]);
  });
});

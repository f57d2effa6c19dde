// Agreement over a network that loses, duplicates and reorders messages, and
// under churn: nodes crash, restart and are cut off while clients keep
// proposing (after the 6.5840 lab's unreliable and churn tests).

import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.ts';
import { RELIABLE, UNRELIABLE } from './sim-network.ts';

describe('Unreliable network', () => {
  it('agrees on every proposal despite loss, duplication and reordering', () => {
    const c = new SimCluster({ seed: 501, nodes: 5, network: UNRELIABLE });
    const agreed: string[] = [];
    for (let iter = 1; iter <= 25; iter++) {
      // Clients at random nodes; the proposals race each other and the network.
      for (let j = 0; j < 4; j++) c.submit(`u-${iter}-${j}`);
      const cmd = `u-${iter}`;
      c.agree(cmd, { count: 1 });
      agreed.push(cmd);
    }
    c.network.configure(RELIABLE);
    c.agree('u-end');
    const order = c.applied(c.awaitLeader());
    for (const id of c.ids()) expect(c.applied(id)).toEqual(order);
    expect(order.filter((cmd) => agreed.includes(cmd))).toEqual(agreed);
    expect(c.network.stats.dropped).toBeGreaterThan(0);
    expect(c.network.stats.duplicated).toBeGreaterThan(0);
  });

  for (const unreliable of [false, true]) {
    it(`stays safe and recovers under churn${unreliable ? ' on an unreliable network' : ''}`, () => {
      const c = new SimCluster({ seed: unreliable ? 503 : 502, nodes: 5, network: unreliable ? UNRELIABLE : RELIABLE });
      let proposals = 0;
      for (let t = 0; t < 1500; t++) {
        if (c.rng.chance(0.3)) c.submit(`churn-${proposals++}`);
        if (t % 10 === 0) {
          const id = c.rng.pick(c.ids());
          const n = c.get(id);
          const roll = c.rng.float();
          if (roll < 0.2) c.isolate(id);
          else if (roll < 0.5) c.reconnect(id);
          else if (roll < 0.7 && n.live) c.crash(id);
          else if (!n.live) c.restart(id);
        }
        c.step();
      }
      c.heal();
      c.network.configure(RELIABLE);
      for (const id of c.ids()) if (!c.get(id).live) c.restart(id);
      const { leader, index } = c.checkLiveness();
      for (const id of c.ids()) {
        expect(c.appliedIndex(id)).toBeGreaterThanOrEqual(index);
        expect(c.applied(id)).toEqual(c.applied(leader));
      }
      // Churn slows the cluster down (a majority is often missing) but must not stop it.
      expect(c.applied(leader).filter((cmd) => cmd.startsWith('churn-')).length).toBeGreaterThanOrEqual(20);
    });
  }
});

// The rows of the cluster view, from what other members say of themselves.
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.ts';
import { FakeDriver, FakeNetwork, SELF } from '../testing/fakes.ts';
import { ClusterView } from './cluster-view.ts';
import { MemberAddresses } from './member-addresses.ts';
import { MemberNames } from './member-names.ts';

describe('ClusterView', () => {
  it('shows what another member says of itself only when it is a role and a term it could have', async () => {
    const network = new FakeNetwork();
    const driver = new FakeDriver({ voters: [SELF, 'b', 'c', 'd'], learners: [] }, 'leader');
    for (const id of ['b', 'c', 'd']) network.raft.addPeer(id);
    network.statuses.set('b', { name: 'Bea', role: 'follower', term: 1 });
    network.statuses.set('c', { name: 'Cy', role: '<img src=x>', term: 'many' });
    network.statuses.set('d', { name: 'Dee', role: 'candidate', term: -3 });
    const onChange = vi.fn();
    const view = new ClusterView({
      network: network.asNetwork(), driver: driver.asDriver(), clock: systemClock, names: new MemberNames(),
      addresses: new MemberAddresses(network.asNetwork(), systemClock), name: 'self', onChange, log: () => {},
    });
    await view.start();
    try {
      await vi.waitFor(() => expect(view.members(driver.status).map((m) => m.name)).toEqual(['self', 'Bea', 'Cy', 'Dee']));
      expect(view.members(driver.status).map((m) => [m.role, m.term])).toEqual([['leader', 1], ['follower', 1], ['unknown', 0], ['candidate', 0]]);
      await vi.waitFor(() => expect(onChange).toHaveBeenCalled()); // the rows changed: the notebook sends a status event
    } finally {
      view.stop();
    }
  });
});

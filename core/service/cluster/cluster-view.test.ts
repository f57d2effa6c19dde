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

  it('asks a member that answers every 1.5 s while nothing changes, one that does not every round, and hangs up on it after three', async () => {
    vi.useFakeTimers();
    try {
      const network = new FakeNetwork();
      // This peer follows; 'b' is the other follower, which it hears nothing from over Raft; 'gone' never answers.
      const driver = new FakeDriver({ voters: [SELF, 'b', 'gone'], learners: [] }, 'follower');
      for (const id of ['b', 'gone']) network.raft.addPeer(id);
      network.statuses.set('b', { name: 'Bea', role: 'follower', term: 1 });
      const asked = new Map<string, number>();
      const fetchStatus = network.fetchStatus.bind(network);
      network.fetchStatus = async (id: string) => { asked.set(id, (asked.get(id) ?? 0) + 1); return fetchStatus(id); };
      const hungUp: string[] = [];
      network.hangUp = async (id?: string) => { hungUp.push(id!); };
      const view = new ClusterView({
        network: network.asNetwork(), driver: driver.asDriver(), clock: systemClock, names: new MemberNames(),
        addresses: new MemberAddresses(network.asNetwork(), systemClock), name: 'self', onChange: () => {}, log: () => {},
      });
      await view.start();
      try {
        await vi.advanceTimersByTimeAsync(6_000); // the first round and 12 more, one every 500 ms
        expect(asked.get('b')).toBe(5); // at 0, 1.5, 3, 4.5 and 6 s
        expect(asked.get('gone')).toBe(13);
        expect(hungUp).toEqual(['gone', 'gone', 'gone', 'gone']); // after each 3 silent rounds in a row
        expect(view.members(driver.status).map((m) => m.role)).toEqual(['follower', 'follower', 'unknown']);
      } finally {
        view.stop();
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows as leader only the leader of the current term: a leader of an older term, killed since, is unknown', async () => {
    const network = new FakeNetwork();
    const driver = new FakeDriver({ voters: [SELF, 'old', 'new'], learners: [] }, 'follower');
    driver.status = { ...driver.status, term: 3, leaderId: 'new' };
    for (const id of ['old', 'new']) network.raft.addPeer(id);
    // The old leader's record is fresh still: it was polled just before it died.
    network.statuses.set('old', { name: 'Old', role: 'leader', term: 2 });
    network.statuses.set('new', { name: 'New', role: 'leader', term: 3 });
    const view = new ClusterView({
      network: network.asNetwork(), driver: driver.asDriver(), clock: systemClock, names: new MemberNames(),
      addresses: new MemberAddresses(network.asNetwork(), systemClock), name: 'self', onChange: () => {}, log: () => {},
    });
    await view.start();
    try {
      const roles = () => view.members(driver.status).map((m) => [m.name, m.role, m.term]);
      await vi.waitFor(() => expect(roles()).toEqual([['self', 'follower', 3], ['Old', 'unknown', 2], ['New', 'leader', 3]]));
      // This peer has not heard of term 3 yet: the newest term any member tells wins.
      driver.status = { ...driver.status, term: 2, leaderId: 'old' };
      expect(roles()).toEqual([['self', 'follower', 2], ['Old', 'unknown', 2], ['New', 'leader', 3]]);
      // Between leaders: no leader known in term 3, and the old one is still not shown as one.
      network.statuses.set('new', { name: 'New', role: 'candidate', term: 3 });
      driver.status = { ...driver.status, term: 3, leaderId: null };
      await vi.waitFor(() => expect(roles()).toEqual([['self', 'follower', 3], ['Old', 'unknown', 2], ['New', 'candidate', 3]]));
    } finally {
      view.stop();
    }
  });
});

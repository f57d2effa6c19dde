// What a member answers to join requests and how fast a leader promotes a
// learner, against a fake network and a fake Raft driver.
import { describe, expect, it, vi } from 'vitest';
import type { Message, Status } from '../../raft/index.ts';
import { systemClock } from '../clock.ts';
import { FakeDriver, FakeNetwork, newcomer, SELF } from '../testing/fakes.ts';
import { MemberAddresses } from './member-addresses.ts';
import { MemberNames } from './member-names.ts';
import { MembershipKeeper, REVIEW_AGAIN_MS } from './membership-keeper.ts';

async function keeperOf(network: FakeNetwork, driver: FakeDriver): Promise<MembershipKeeper> {
  const keeper = new MembershipKeeper({
    network: network.asNetwork(), driver: driver.asDriver(), names: new MemberNames(),
    addresses: new MemberAddresses(network.asNetwork(), systemClock), maxVoters: 5, log: () => {},
  });
  await keeper.start();
  return keeper;
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

/** leading is a leader's fake driver with `voters` and one learner, newbie, that has every entry up to the commit index 4. */
function leading(voters: string[]): FakeDriver {
  const driver = new FakeDriver({ voters, learners: ['newbie'] }, 'leader');
  driver.status = { ...driver.status, commitIndex: 4, lastIndex: 4, progress: { newbie: { matchIndex: 4, nextIndex: 5, active: true } } };
  return driver;
}

describe('MembershipKeeper', () => {
  it('answers a join request with not-a-member while it is a newcomer itself', async () => {
    const network = new FakeNetwork();
    await keeperOf(network, newcomer());
    const answer = await network.joinHandler!({ peerId: 'asker', name: 'Asker', addrs: [] }, 'asker');
    expect(answer).toEqual({ ok: false, reason: 'not-a-member' });
    expect(network.streams.has('asker')).toBe(false); // and opens no raft stream to it
  });

  it('adds a peer that asks to join as a learner, and promotes it when its acknowledgement arrives', async () => {
    const network = new FakeNetwork();
    const driver = new FakeDriver({ voters: [SELF], learners: [] }, 'leader');
    const keeper = await keeperOf(network, driver);
    const answer = await network.joinHandler!({ peerId: 'newbie', name: 'Newbie', addrs: [] }, 'newbie');
    expect(answer.ok).toBe(true);
    expect(driver.changes).toEqual(['addLearner newbie']);
    // The learner entry (index 2) commits; the learner has not acknowledged it yet.
    driver.status = { ...driver.status, commitIndex: 2, lastIndex: 2, membership: { voters: [SELF], learners: ['newbie'] },
      progress: { newbie: { matchIndex: 0, nextIndex: 2, active: true } } };
    keeper.membershipChanged();
    await settled();
    expect(driver.changes).toEqual(['addLearner newbie']);
    // Its acknowledgement arrives: promoted at once.
    driver.status = { ...driver.status, progress: { newbie: { matchIndex: 2, nextIndex: 3, active: true } } };
    const ack: Message = { type: 'AppendEntriesResponse', from: 'newbie', to: SELF, term: 1, success: true, matchIndex: 2, hintIndex: 0 };
    keeper.onRaftMessage(ack);
    await settled();
    expect(driver.changes).toEqual(['addLearner newbie', 'addVoter newbie']);
  });

  it('promotes a learner a few entries behind the commit point, not one far behind', async () => {
    const status = (match: number, commit: number): Partial<Status> => ({
      commitIndex: commit, lastIndex: commit, membership: { voters: [SELF], learners: ['newbie'] },
      progress: { newbie: { matchIndex: match, nextIndex: match + 1, active: true } },
    });
    for (const [match, commit, promoted] of [[3, 6, true], [3, 500, false]] as const) {
      const network = new FakeNetwork();
      network.streams.add('newbie');
      const driver = new FakeDriver({ voters: [SELF], learners: ['newbie'] }, 'leader');
      driver.status = { ...driver.status, ...status(match, commit) };
      await keeperOf(network, driver);
      await settled();
      expect(driver.changes).toEqual(promoted ? ['addVoter newbie'] : []);
    }
  });

  it('promotes a caught-up learner within a second even when no event follows the review that could not', async () => {
    const network = new FakeNetwork();
    network.streams.add('newbie');
    const driver = leading([SELF]);
    // The first review finds another change under way; nothing happens after it.
    driver.refuseChanges = 1;
    const keeper = await keeperOf(network, driver);
    await settled();
    expect(driver.changes).toEqual([]);
    const started = performance.now();
    await vi.waitFor(() => expect(driver.changes).toEqual(['addVoter newbie']), { timeout: 3 * REVIEW_AGAIN_MS, interval: 20 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(REVIEW_AGAIN_MS - 100);
    keeper.stop();
  });

  it('keeps no timer while every seat is taken', async () => {
    const network = new FakeNetwork();
    network.streams.add('newbie');
    const driver = leading([SELF, 'b', 'c', 'd', 'e']);
    const keeper = await keeperOf(network, driver);
    await settled();
    // Five voters (maxVoters 5): the learner stays one. A seat freed without an event is not looked at by a timer.
    driver.status = { ...driver.status, membership: { voters: [SELF, 'b', 'c', 'd'], learners: ['newbie'] } };
    await new Promise((resolve) => setTimeout(resolve, REVIEW_AGAIN_MS + 200));
    expect(driver.changes).toEqual([]);
    keeper.stop();
  });

  it('keeps a raft stream to every member of the latest membership', async () => {
    const network = new FakeNetwork();
    const driver = new FakeDriver({ voters: [SELF, 'b'], learners: ['c'] });
    const keeper = await keeperOf(network, driver);
    expect([...network.streams].sort()).toEqual(['b', 'c']);
    driver.status = { ...driver.status, membership: { voters: [SELF, 'b', 'd'], learners: ['c'] } };
    keeper.membershipChanged();
    expect([...network.streams].sort()).toEqual(['b', 'c', 'd']);
  });
});

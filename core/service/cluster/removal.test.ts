// How a peer learns it was removed from its notebook, and asks to join again.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import { ServiceError } from '../errors.ts';
import { FakeDriver, FakeNetwork, SELF } from '../testing/fakes.ts';
import { MemberNames } from './member-names.ts';
import { Removal } from './removal.ts';

function setup(driver: FakeDriver) {
  const network = new FakeNetwork();
  const lines: string[] = [];
  const names = new MemberNames({ initial: { lead: 'Lea' } });
  const removal = new Removal({
    network: network.asNetwork(), driver: driver.asDriver(), clock: systemClock, names, joinTargets: [], log: (l) => lines.push(l), onChange: () => {},
  });
  return { removal, lines, network };
}

describe('Removal', () => {
  it('takes a configuration without this peer, after one with it, as its removal, and stops the clock', () => {
    const driver = new FakeDriver({ voters: [SELF, 'b', 'lead'], learners: [] });
    const { removal, lines } = setup(driver);
    removal.membershipChanged({ voters: [SELF, 'b', 'lead'], learners: [] });
    expect(removal.removed).toBe(false);
    removal.membershipChanged({ voters: ['b', 'lead'], learners: [] });
    expect(removal.removed).toBe(true);
    expect(driver.ticking).toBe(false);
    expect(lines).toEqual(['this peer was removed from the notebook; it takes no more part. Leave the notebook, or ask to join again.']);
  });

  it('does not take a joining peer\'s catch-up (configurations from before it was added) for a removal', () => {
    const driver = new FakeDriver({ voters: [], learners: [SELF] });
    const { removal } = setup(driver);
    removal.membershipChanged({ voters: [], learners: [SELF] });
    removal.membershipChanged({ voters: ['lead'], learners: ['b'] });
    expect(removal.removed).toBe(false);
    removal.leaderMembers('lead', ['lead', 'b', SELF]);
    expect(removal.removed).toBe(false);
  });

  it('learns its removal from a leader that no longer lists it, asks to join again, and is back once named again', async () => {
    const driver = new FakeDriver({ voters: [SELF, 'b', 'lead'], learners: [] });
    const { removal, lines, network } = setup(driver);
    expect(() => removal.rejoin()).toThrow(ServiceError);
    removal.leaderMembers('lead', ['lead', 'b']);
    expect(removal.removed).toBe(true);
    expect(lines.at(-1)).toMatch(/removed from the notebook \(Lea, the leader, no longer lists it\)/);

    removal.rejoin();
    expect(removal.removed).toBe(false);
    expect(driver.ticking).toBe(true);
    // The leader's answers and the old configuration reaching it meanwhile do not remove it again.
    removal.leaderMembers('lead', ['lead', 'b']);
    removal.membershipChanged({ voters: ['b', 'lead'], learners: [] });
    expect(removal.removed).toBe(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(network.asked.length).toBeGreaterThan(0);
    removal.membershipChanged({ voters: ['b', 'lead'], learners: [SELF] });
    expect(lines.at(-1)).toBe('the leader added this peer to the notebook again');
    // Named again: a later removal counts.
    removal.membershipChanged({ voters: ['b', 'lead'], learners: [] });
    expect(removal.removed).toBe(true);
    removal.stop();
  });
});

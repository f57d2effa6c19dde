// Whom a newcomer asks to join and how often, against a fake network.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.ts';
import { FakeNetwork } from '../testing/fakes.ts';
import { Joiner } from './joiner.ts';
import { MemberNames } from './member-names.ts';

async function joinerOf(network: FakeNetwork): Promise<Joiner> {
  const joiner = new Joiner({ network: network.asNetwork(), clock: systemClock, names: new MemberNames(), targets: [], log: () => {} });
  await joiner.start();
  return joiner;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Joiner', () => {
  it('asks every peer it found at once while it knows no leader, then the leader alone', async () => {
    vi.useFakeTimers();
    const network = new FakeNetwork();
    network.answers.set('other-newcomer', { ok: false, reason: 'not-a-member' });
    network.answers.set('follower', { ok: false, reason: 'not-leader', leaderId: 'leader' });
    network.answers.set('leader', { ok: true, leaderId: 'leader', members: [{ id: 'leader', voter: true, addrs: [] }] });
    const joiner = await joinerOf(network);
    network.discover('other-newcomer');
    network.discover('follower');
    await vi.advanceTimersByTimeAsync(0);
    // The follower named the leader, which is asked at once, without waiting for a retry.
    expect(network.asked.sort()).toEqual(['follower', 'leader', 'other-newcomer']);
    network.asked.length = 0;
    await vi.advanceTimersByTimeAsync(3_000);
    // Accepted, it waits for the leader's log and asks the leader alone, once a second.
    expect(new Set(network.asked)).toEqual(new Set(['leader']));
    expect(network.asked.length).toBeGreaterThanOrEqual(2);
    expect(network.asked.length).toBeLessThanOrEqual(3);
    joiner.stop();
  });

  it('asks a peer that cannot help less and less often', async () => {
    vi.useFakeTimers();
    const network = new FakeNetwork();
    network.answers.set('other-newcomer', { ok: false, reason: 'not-a-member' });
    const joiner = await joinerOf(network);
    network.discover('other-newcomer');
    await vi.advanceTimersByTimeAsync(30_000);
    // 30 s: a request once a second would make 30; pauses doubling from 0.25 s up to 8 s make about 8.
    expect(network.asked.length).toBeGreaterThanOrEqual(5);
    expect(network.asked.length).toBeLessThanOrEqual(11);
    joiner.stop();
  });

  it('asks nobody once stopped', async () => {
    const network = new FakeNetwork();
    network.answers.set('leader', { ok: true, leaderId: 'leader' });
    const joiner = await joinerOf(network);
    joiner.stop();
    network.discover('leader');
    await new Promise((resolve) => setImmediate(resolve));
    expect(network.asked).toEqual([]);
  });
});

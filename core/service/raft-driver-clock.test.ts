// The demo's hold on the Raft clock: a paused driver makes no tick (no
// election while paused, however long), a step makes one, a resumed one goes
// on from the tick it was at, and a new tick length is used from then on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaftNode } from '../raft/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { RaftDriver } from './raft-driver.ts';

/** A driver of follower `a` of a group a, b, c whose election timeout is 22 ticks (random 0.5 of [15, 30)), with PreVote off. */
function follower() {
  const node = new RaftNode({ id: 'a', membership: { voters: ['a', 'b', 'c'], learners: [] }, random: () => 0.5, preVote: false });
  const driver = new RaftDriver({ node, storage: new MemoryStorage(), send: () => {}, apply: () => {}, onFatal: (error) => { throw error; }, tickMs: 10 });
  return { node, driver };
}

describe('RaftDriver clock', () => {
  afterEach(() => vi.useRealTimers());

  it('makes no tick while paused, one per step, and goes on from there when resumed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { node, driver } = follower();
    driver.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(driver.electionTimer()).toEqual({ kind: 'election', elapsed: 10, timeout: 22 });
    driver.setPaused(true);
    expect(driver.clockSetting).toEqual({ tickMs: 10, paused: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(node.status().role).toBe('follower');
    expect(driver.electionTimer().elapsed).toBe(10);
    for (let i = 0; i < 11; i++) driver.stepTick();
    expect(driver.electionTimer().elapsed).toBe(21);
    expect(node.status().role).toBe('follower');
    driver.stepTick();
    expect(node.status()).toMatchObject({ role: 'candidate', term: 1 });
    driver.setPaused(false);
    await vi.advanceTimersByTimeAsync(50);
    expect(driver.electionTimer().elapsed).toBe(5);
    await driver.stop();
  });

  it('a step does nothing while the clock runs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { driver } = follower();
    driver.start();
    await vi.advanceTimersByTimeAsync(30);
    driver.stepTick();
    expect(driver.electionTimer().elapsed).toBe(3);
    await driver.stop();
  });

  it('counts ticks at the new length after setTickMs, keeping the ticks made at the old one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { node, driver } = follower();
    driver.start();
    await vi.advanceTimersByTimeAsync(50);
    driver.setTickMs(500);
    expect(driver.electionTimer().elapsed).toBe(5);
    await vi.advanceTimersByTimeAsync(499);
    expect(driver.electionTimer().elapsed).toBe(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(driver.electionTimer().elapsed).toBe(6);
    // 16 more ticks of 500 ms bring the timeout of 22.
    await vi.advanceTimersByTimeAsync(15 * 500);
    expect(node.status().role).toBe('follower');
    await vi.advanceTimersByTimeAsync(500);
    expect(node.status().role).toBe('candidate');
    await driver.stop();
  });

  it('refuses a tick length that is not a whole number of milliseconds', () => {
    const { driver } = follower();
    expect(() => driver.setTickMs(0)).toThrow(RangeError);
    expect(() => driver.setTickMs(2.5)).toThrow(/whole number/);
  });
});

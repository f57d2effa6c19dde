import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fullCollection, releaseMemoryWhenQuiet } from './memory-release.ts';

const MiB = 1024 * 1024;

describe('releaseMemoryWhenQuiet', () => {
  afterEach(() => { vi.useRealTimers(); });

  /** A document whose changes fire 'notes', a resident memory the test sets, and the collections made. */
  function setup() {
    vi.useFakeTimers();
    const doc = new EventTarget();
    let rss = 100 * MiB;
    const collections: number[] = [];
    const stop = releaseMemoryWhenQuiet(doc, 'notes', {
      quietMs: 2_000, growthBytes: 32 * MiB, rss: () => rss, collect: () => { collections.push(Date.now()); rss = 110 * MiB; },
    });
    return { change: () => doc.dispatchEvent(new Event('notes')), setRss: (mib: number) => { rss = mib * MiB; }, collections, stop };
  }

  it('gives memory back once the document is quiet after the memory grew, not while changes go on', () => {
    const t = setup();
    t.setRss(250);
    for (let i = 0; i < 30; i++) {
      t.change();
      vi.advanceTimersByTime(500);
    }
    expect(t.collections).toEqual([]);
    vi.advanceTimersByTime(1_500);
    expect(t.collections).toHaveLength(1);
    // Quiet again with no new growth past the release: nothing more.
    t.change();
    vi.advanceTimersByTime(5_000);
    expect(t.collections).toHaveLength(1);
    // Another burst grows it again (the timer that fired is armed again).
    t.setRss(150);
    t.change();
    vi.advanceTimersByTime(2_000);
    expect(t.collections).toHaveLength(2);
    t.stop();
  });

  it('lets small growth be (a note typed now and then costs no pause)', () => {
    const t = setup();
    t.setRss(120);
    t.change();
    vi.advanceTimersByTime(10_000);
    expect(t.collections).toEqual([]);
    t.stop();
  });

  it('stops watching when stopped', () => {
    const t = setup();
    t.setRss(300);
    t.change();
    t.stop();
    vi.advanceTimersByTime(10_000);
    t.change();
    vi.advanceTimersByTime(10_000);
    expect(t.collections).toEqual([]);
  });
});

describe('fullCollection', () => {
  it('frees the garbage of the heap at once', () => {
    const collect = fullCollection();
    collect();
    const before = process.memoryUsage().heapUsed;
    let garbage: object[] | null = Array.from({ length: 400_000 }, (_, i) => ({ i, text: `note ${i}` }));
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(20 * MiB);
    garbage = null;
    collect();
    expect(garbage).toBeNull();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5 * MiB);
  });
});

describe('limitHeapGrowth', () => {
  /**
   * peakOldSpaceMiB runs a fresh Node that keeps 300,000 objects live and
   * churns 5,000,000 more through a window of 400,000 (long enough to be
   * promoted, then garbage), and returns the largest its old space grew.
   */
  function peakOldSpaceMiB(limit: boolean): number {
    const script = `
      import { getHeapSpaceStatistics } from 'node:v8';
      import { limitHeapGrowth } from ${JSON.stringify(new URL('./memory-release.ts', import.meta.url).href)};
      if (${limit}) limitHeapGrowth();
      globalThis.live = Array.from({ length: 300_000 }, (_, i) => ({ i, s: 'live' + i, t: [i] })); // kept to the end
      const window = new Array(400_000);
      let peak = 0;
      for (let i = 0; i < 5_000_000; i++) {
        window[i % window.length] = { i, s: 'g' + i };
        if (i % 50_000 === 0) peak = Math.max(peak, getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
      }
      process.stdout.write(String(peak / 1048576));`;
    return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  }

  it('keeps the old generation near twice what is live where V8 alone lets it grow to about four times', () => {
    const free = peakOldSpaceMiB(false);
    const limited = peakOldSpaceMiB(true);
    expect(limited).toBeLessThan(free * 0.7);
  }, 30_000);
});

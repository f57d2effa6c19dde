// The DiskStorage side of the simulation harness: what a restart reads back,
// and how a failed save is reported.

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../core/raft/index.ts';
import { MemoryStorage } from './mem-storage.ts';
import { diffState, SimDisk } from './sim-disk.ts';
import { StorageError } from './sim-error.ts';

const entry = (index: number, term: number): Entry =>
  ({ index, term, kind: 'command', data: new TextEncoder().encode(`e${index}`) });

describe('SimDisk', () => {
  it('reads back after a crash what was saved before it, even saves still running at the crash', async () => {
    const disk = new SimDisk({ segmentBytes: 4096 });
    try {
      const d = disk.open('n1', () => ({ seed: 1, tick: 0 }));
      const saved = new MemoryStorage();
      for (let i = 1; i <= 100; i++) {
        const hs = { term: 1, votedFor: 'n1', commitIndex: i - 1 };
        saved.append([entry(i, 1)]);
        saved.setHardState(hs);
        d.save({ hardState: hs, entries: [entry(i, 1)], snapshot: null });
      }
      d.crash(); // no settle(): the crash waits for the saves issued before it
      const loaded = await d.reopen();
      expect(diffState(saved, loaded)).toBeNull();
      expect(d.newestSegment()).toBeGreaterThan(1);
      saved.setHardState({ term: 2, votedFor: null, commitIndex: 99 });
      expect(diffState(saved, loaded)).toMatch(/^hard state .*"term":1.*, saved .*"term":2/);
    } finally {
      await disk.close();
    }
    expect(fs.existsSync(disk.root)).toBe(false);
  });

  it('reports a failed save with the tick that issued it, and still removes its directory', async () => {
    const disk = new SimDisk();
    let tick = 7;
    const d = disk.open('n1', () => ({ seed: 3, tick }));
    d.save({ hardState: null, entries: [entry(5, 1)], snapshot: null }); // a gap: DiskStorage refuses it
    tick = 9;
    await expect(d.settle()).rejects.toThrow(/^Storage failed \(seed 3, tick 7\): n1: DiskStorage.save of entries 5..5 failed: RangeError/);
    await expect(d.settle()).resolves.toBeUndefined(); // reported once
    d.save({ hardState: null, entries: [entry(1, 1)], snapshot: null });
    await expect(d.settle()).resolves.toBeUndefined(); // a refused batch changes nothing: the next one is saved
    d.save({ hardState: null, entries: [entry(3, 1)], snapshot: null });
    await expect(disk.close()).rejects.toBeInstanceOf(StorageError); // a failure nobody awaited: close() tells
    expect(fs.existsSync(disk.root)).toBe(false);
  });
});

// The simulated durable storage follows the Ready contract: replacing a log
// suffix, dropping what a snapshot covers, and refusing a Ready that would
// leave a gap.

import { describe, expect, it } from 'vitest';
import type { Entry, Snapshot } from '../../core/raft/index.ts';
import { MemoryStorage, StorageFault } from './mem-storage.ts';

function e(index: number, term: number): Entry {
  return { index, term, kind: 'noop', data: new Uint8Array() };
}

function snap(index: number, term: number): Snapshot {
  return { index, term, membership: { voters: ['a'], learners: [] }, data: new Uint8Array() };
}

const terms = (s: MemoryStorage): number[] => s.entries.map((x) => x.term);

describe('Memory storage', () => {
  it('replaces an entry at an existing index and everything after it', () => {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(2, 1), e(3, 1)]);
    const removed = s.append([e(2, 2)]);
    expect(terms(s)).toEqual([1, 2]);
    expect(removed.map((x) => x.index)).toEqual([2, 3]);
    expect(s.lastIndex()).toBe(2);
  });

  it('refuses entries that would leave a gap or are not consecutive', () => {
    const s = new MemoryStorage();
    s.append([e(1, 1)]);
    expect(() => s.append([e(3, 1)])).toThrow(StorageFault);
    expect(() => s.append([e(2, 1), e(4, 1)])).toThrow(StorageFault);
  });

  it('drops the entries a snapshot covers, and keeps the rest when it holds the snapshot entry', () => {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(2, 1), e(3, 2), e(4, 2)]);
    s.applySnapshot(snap(2, 1));
    expect(s.entries.map((x) => x.index)).toEqual([3, 4]);
    expect(s.firstIndex()).toBe(3);
    expect(s.term(2)).toBe(1);
    expect(s.term(1)).toBeUndefined();
    expect(() => s.append([e(2, 1)])).toThrow(StorageFault);
  });

  it('drops the whole log for a snapshot whose entry it does not hold', () => {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(2, 1), e(3, 1)]);
    s.applySnapshot(snap(3, 2));
    expect(s.entries).toEqual([]);
    expect(s.lastIndex()).toBe(3);
    s.append([e(4, 2)]);
    expect(s.firstIndex()).toBe(4);
    const r = s.restore();
    expect(r.snapshot?.index).toBe(3);
    expect(r.entries.map((x) => x.index)).toEqual([4]);
  });
});

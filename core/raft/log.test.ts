import { describe, expect, it } from 'vitest';
import { RaftInvariantError } from './errors.ts';
import { RaftLog, UNKNOWN_TERM } from './log.ts';
import { encodeMembership } from './membership.ts';
import type { Entry, Membership } from './types.ts';

const boot: Membership = { voters: ['a', 'b', 'c'], learners: [] };
const ent = (index: number, term: number, kind: Entry['kind'] = 'command', data: Uint8Array = new Uint8Array(1)): Entry =>
  ({ index, term, kind, data });
const terms = (log: RaftLog) => {
  const out: number[] = [];
  for (let i = log.firstIndex(); i <= log.lastIndex(); i++) out.push(log.term(i));
  return out;
};

function logWith(...entryTerms: number[]): RaftLog {
  const log = new RaftLog(boot);
  entryTerms.forEach((t, i) => log.append([ent(i + 1, t)]));
  return log;
}

describe('RaftLog', () => {
  it('starts empty: index 0 has term 0', () => {
    const log = new RaftLog(boot);
    expect(log.lastIndex()).toBe(0);
    expect(log.term(0)).toBe(0);
    expect(log.term(1)).toBe(UNKNOWN_TERM);
    expect(log.membership()).toEqual(boot);
  });

  it('refuses an append that does not follow the last entry', () => {
    const log = logWith(1, 1);
    expect(() => log.append([ent(4, 1)])).toThrow(RaftInvariantError);
  });

  it('appends after a matching entry and reports the last new index', () => {
    const log = logWith(1, 1);
    expect(log.maybeAppend(2, 1, [ent(3, 2), ent(4, 2)])).toBe(4);
    expect(terms(log)).toEqual([1, 1, 2, 2]);
  });

  it('rejects entries whose previous entry does not match', () => {
    const log = logWith(1, 1);
    expect(log.maybeAppend(2, 2, [ent(3, 2)])).toBe(-1);
    expect(log.maybeAppend(5, 1, [ent(6, 2)])).toBe(-1);
    expect(terms(log)).toEqual([1, 1]);
  });

  it('replaces a conflicting entry and everything after it', () => {
    const log = logWith(1, 1, 1, 1);
    expect(log.maybeAppend(1, 1, [ent(2, 1), ent(3, 3)])).toBe(3);
    expect(terms(log)).toEqual([1, 1, 3]);
  });

  it('keeps entries after a stale, shorter append that matches', () => {
    const log = logWith(1, 1, 1, 1);
    expect(log.maybeAppend(1, 1, [ent(2, 1)])).toBe(2);
    expect(terms(log)).toEqual([1, 1, 1, 1]);
  });

  it('never truncates committed entries', () => {
    const log = logWith(1, 1, 1);
    log.commitTo(2);
    expect(() => log.maybeAppend(1, 1, [ent(2, 2)])).toThrow(/conflicts with the committed log/);
  });

  it('finds where a leader should retry by term', () => {
    const log = logWith(1, 1, 2, 2, 2, 4);
    expect(log.findConflictByTerm(6, 3)).toBe(5);
    expect(log.findConflictByTerm(6, 1)).toBe(2);
    expect(log.findConflictByTerm(10, 4)).toBe(6);
    expect(log.findConflictByTerm(4, 0)).toBe(0);
  });

  it('judges up-to-date logs by last term, then length (Raft §5.4.1)', () => {
    const log = logWith(1, 2, 2);
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });

  it('hands out unstable entries until storage holds them', () => {
    const log = logWith(1, 1, 1);
    expect(log.unstableEntries().map((e) => e.index)).toEqual([1, 2, 3]);
    log.stableTo(2, 1);
    expect(log.unstableEntries().map((e) => e.index)).toEqual([3]);
    log.stableTo(3, 1);
    expect(log.hasUnstable()).toBe(false);
  });

  it('makes replaced stable entries unstable again, and ignores an outdated stableTo', () => {
    const log = logWith(1, 1, 1);
    log.stableTo(3, 1);
    log.maybeAppend(1, 1, [ent(2, 2)]);
    expect(log.unstableEntries().map((e) => [e.index, e.term])).toEqual([[2, 2]]);
    log.stableTo(3, 1);
    expect(log.hasUnstable()).toBe(true);
  });

  it('hands out committed entries once they are applied', () => {
    const log = logWith(1, 1, 1);
    log.commitTo(2);
    expect(log.nextCommitted().map((e) => e.index)).toEqual([1, 2]);
    log.appliedTo(2);
    expect(log.nextCommitted()).toEqual([]);
    expect(() => log.appliedTo(3)).toThrow(RaftInvariantError);
    expect(() => log.commitTo(9)).toThrow(RaftInvariantError);
  });

  it('limits a slice by count and bytes, but always gives one entry', () => {
    const log = new RaftLog(boot);
    for (let i = 1; i <= 10; i++) log.append([ent(i, 1, 'command', new Uint8Array(100))]);
    expect(log.slice(1, 4, 1 << 20)).toHaveLength(4);
    expect(log.slice(1, 100, 250)).toHaveLength(2);
    expect(log.slice(3, 100, 10)).toHaveLength(1);
    expect(log.slice(9, 100, 1 << 20).map((e) => e.index)).toEqual([9, 10]);
  });

  it('compacts applied entries into a snapshot that keeps the membership at its index', () => {
    const log = logWith(1, 1);
    const next: Membership = { voters: ['a', 'b', 'c', 'd'], learners: [] };
    log.append([ent(3, 1, 'config', encodeMembership(next)), ent(4, 2)]);
    log.commitTo(4);
    log.appliedTo(3);
    expect(() => log.compact(4, new Uint8Array(0))).toThrow(/only applied entries/);
    const snap = log.compact(3, Uint8Array.of(7));
    expect(snap).toMatchObject({ index: 3, term: 1, membership: next });
    expect(log.firstIndex()).toBe(4);
    expect(log.term(3)).toBe(1);
    expect(log.term(2)).toBe(UNKNOWN_TERM);
    expect(log.pendingSnapshot).toBe(snap);
    expect(log.membership()).toEqual(next);
    log.snapshotPersisted(snap);
    expect(log.pendingSnapshot).toBeNull();
  });

  it('follows the latest config entry, and falls back when it is truncated', () => {
    const log = logWith(1);
    const added: Membership = { voters: ['a', 'b', 'c'], learners: ['d'] };
    log.maybeAppend(1, 1, [ent(2, 1, 'config', encodeMembership(added))]);
    expect(log.membership()).toEqual(added);
    expect(log.lastConfigIndex()).toBe(2);
    expect(log.membershipAt(1)).toEqual(boot);
    log.maybeAppend(1, 1, [ent(2, 2)]);
    expect(log.membership()).toEqual(boot);
    expect(log.lastConfigIndex()).toBe(0);
  });

  it('restores from a snapshot and loads the entries after it', () => {
    const log = new RaftLog(boot);
    log.restore({ index: 5, term: 2, membership: boot, data: new Uint8Array() }, true);
    log.load([ent(4, 2), ent(5, 2), ent(6, 3), ent(7, 3)]);
    expect([log.firstIndex(), log.lastIndex(), log.committed, log.applied]).toEqual([6, 7, 5, 5]);
    expect(log.hasUnstable()).toBe(false);
    expect(log.pendingSnapshot).toBeNull();
    expect(() => log.load([ent(9, 3)])).toThrow(/gap/);
  });
});

// The invariant checker itself: each property, fed a history that breaks it,
// must throw an InvariantError that names the property, the seed and the tick.

import { describe, expect, it } from 'vitest';
import type { Entry, Role } from '../../core/raft/index.ts';
import { SafetyChecker, type CheckedNode } from './invariants.ts';
import { MemoryStorage } from './mem-storage.ts';
import { InvariantError } from './sim-error.ts';
import { StateMachine } from './state-machine.ts';

const enc = new TextEncoder();

function entry(index: number, term: number, text = `e${index}.${term}`): Entry {
  return { index, term, kind: 'command', data: enc.encode(text) };
}

function fakeNode(id: string, entries: Entry[], role: Role = 'follower', term = 1): CheckedNode {
  const storage = new MemoryStorage();
  storage.append(entries);
  return { id, live: true, storage, sm: new StateMachine(), state: () => ({ role, term }) };
}

function checker(): SafetyChecker {
  return new SafetyChecker(() => ({ seed: 42, tick: 7 }));
}

function expectViolation(fn: () => void, invariant: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InvariantError);
  expect((caught as InvariantError).invariant).toBe(invariant);
  expect((caught as Error).message).toContain('seed 42, tick 7');
}

describe('Safety invariants', () => {
  it('catches two leaders in one term, even at different times', () => {
    const c = checker();
    c.observeRole('n1', 'leader', 3);
    c.observeRole('n1', 'leader', 3);
    c.observeRole('n2', 'leader', 4);
    expectViolation(() => c.observeRole('n2', 'leader', 3), 'Election Safety');
  });

  it('catches one index and term written with two contents, or after two different terms', () => {
    const c = checker();
    c.onEntriesWritten('n1', [entry(1, 1), entry(2, 2, 'x')], 0);
    expectViolation(() => c.onEntriesWritten('n2', [entry(2, 2, 'y')], 1), 'Log Matching');
    const d = checker();
    d.onEntriesWritten('n1', [entry(1, 1), entry(2, 3, 'x')], 0);
    d.onEntriesWritten('n2', [entry(1, 2)], 0);
    expectViolation(() => d.onEntriesWritten('n2', [entry(2, 3, 'x')], 2), 'Log Matching');
  });

  it('catches two current logs that share an entry but differ before it', () => {
    const c = checker();
    const a = fakeNode('a', [entry(1, 1), entry(2, 1), entry(3, 2)]);
    const b = fakeNode('b', [entry(1, 1), entry(2, 2), entry(3, 2)]);
    expectViolation(() => c.checkStep([a, b]), 'Log Matching');
    const ok = fakeNode('c', [entry(1, 1), entry(2, 1), entry(3, 3)]);
    c.checkStep([a, ok]);
  });

  it('catches a leader of a later term that lacks a committed entry', () => {
    const c = checker();
    c.onApplied('n1', { index: 1, term: 1, kind: 'command', text: 'a' }, 1);
    c.checkStep([fakeNode('n2', [entry(1, 1, 'a')], 'leader', 2)]);
    expectViolation(() => c.checkStep([fakeNode('n3', [entry(1, 2, 'b')], 'leader', 3)]), 'Leader Completeness');
    // A leader of the term the entry was committed in (or earlier) is not held to it.
    const d = checker();
    d.onApplied('n1', { index: 1, term: 1, kind: 'command', text: 'a' }, 5);
    d.checkStep([fakeNode('n2', [], 'leader', 5)]);
  });

  it('catches two nodes applying different entries at one index, and one command applied twice', () => {
    const c = checker();
    c.onApplied('n1', { index: 1, term: 1, kind: 'command', text: 'a' }, 1);
    expectViolation(() => c.onApplied('n2', { index: 1, term: 1, kind: 'command', text: 'b' }, 1), 'State Machine Safety');
    const d = checker();
    d.onApplied('n1', { index: 1, term: 1, kind: 'command', text: 'a' }, 1);
    expectViolation(() => d.onApplied('n1', { index: 2, term: 1, kind: 'command', text: 'a' }, 1), 'State Machine Safety');
    const e = checker();
    e.allowDuplicate('a');
    e.onApplied('n1', { index: 1, term: 1, kind: 'command', text: 'a' }, 1);
    e.onApplied('n1', { index: 2, term: 1, kind: 'command', text: 'a' }, 1);
  });

  it('catches a node overwriting an entry below its own commit index, but lets a stale leader append anywhere', () => {
    const c = checker();
    const held = (i: number): number | undefined => (i <= 3 ? 1 : undefined);
    expectViolation(() => c.onEntriesWritten('n2', [entry(3, 2, 'b')], 1, held, 3), 'Persisted State');
    c.onEntriesWritten('n2', [entry(3, 1)], 1, held, 3);
    c.onEntriesWritten('n2', [entry(4, 2)], 1, held, 3);
    // n3 leads a stale term and appends where a later term has already committed: legal.
    c.onApplied('n1', { index: 5, term: 3, kind: 'noop', text: '' }, 3);
    c.onEntriesWritten('n3', [entry(5, 2, 'stale')], 1);
  });

  it('catches a term going back, a second vote in one term and a commit index going back', () => {
    const c = checker();
    expectViolation(() => c.onHardState('n1', { term: 3, votedFor: null, commitIndex: 0 }, { term: 2, votedFor: null, commitIndex: 0 }), 'Persisted State');
    expectViolation(() => c.onHardState('n1', { term: 3, votedFor: 'a', commitIndex: 0 }, { term: 3, votedFor: 'b', commitIndex: 0 }), 'Persisted State');
    expectViolation(() => c.onHardState('n1', { term: 3, votedFor: 'a', commitIndex: 5 }, { term: 3, votedFor: 'a', commitIndex: 4 }), 'Persisted State');
    c.onHardState('n1', { term: 3, votedFor: 'a', commitIndex: 5 }, { term: 4, votedFor: null, commitIndex: 6 });
  });
});

import { describe, expect, it } from 'vitest';
import { applyChange, decodeMembership, encodeMembership } from './membership.ts';
import { committedIndex, majority, voteResult } from './quorum.ts';

describe('Quorum', () => {
  it('needs a strict majority', () => {
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });

  it('commits what a majority of voters hold', () => {
    const match: Record<string, number> = { a: 9, b: 4, c: 7, d: 2, e: 7 };
    expect(committedIndex(['a', 'b', 'c', 'd', 'e'], (id) => match[id]!)).toBe(7);
    expect(committedIndex(['a', 'b', 'd'], (id) => match[id]!)).toBe(4);
    expect(committedIndex(['a'], (id) => match[id]!)).toBe(9);
    expect(committedIndex([], () => 1)).toBe(0);
  });

  it('decides an election once a majority answered either way', () => {
    const voters = ['a', 'b', 'c'];
    expect(voteResult(voters, new Map([['a', true]]))).toBe('pending');
    expect(voteResult(voters, new Map([['a', true], ['b', true]]))).toBe('won');
    expect(voteResult(voters, new Map([['a', true], ['b', false], ['c', false]]))).toBe('lost');
    expect(voteResult(['a', 'b', 'c', 'd'], new Map([['a', true], ['b', true], ['c', false]]))).toBe('pending');
    expect(voteResult(voters, new Map([['x', true], ['y', true]]))).toBe('pending');
  });
});

describe('Membership', () => {
  const m = { voters: ['a', 'b'], learners: ['c'] };

  it('round-trips through a config entry', () => {
    expect(decodeMembership(encodeMembership(m))).toEqual(m);
    expect(() => decodeMembership(new TextEncoder().encode('{"voters":[1]}'))).toThrow(/membership/);
  });

  it('adds a learner, promotes it, and removes members one at a time', () => {
    expect(applyChange(m, { type: 'addLearner', id: 'd' })).toEqual({ voters: ['a', 'b'], learners: ['c', 'd'] });
    expect(applyChange(m, { type: 'addLearner', id: 'a' })).toEqual(m);
    expect(applyChange(m, { type: 'addVoter', id: 'c' })).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
    expect(applyChange(m, { type: 'remove', id: 'a' })).toEqual({ voters: ['b'], learners: ['c'] });
    expect(() => applyChange({ voters: ['a'], learners: [] }, { type: 'remove', id: 'a' })).toThrow(/last voter/);
  });
});

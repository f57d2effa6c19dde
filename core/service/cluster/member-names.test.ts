import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, MemberNames } from './member-names.ts';

describe('MemberNames', () => {
  it('starts with the names kept and keeps every change, once', () => {
    const saved: Array<Record<string, string>> = [];
    const names = new MemberNames({ initial: { p1: 'Ada' }, save: (n) => saved.push(n) });
    expect(names.label('p1')).toBe('Ada');
    names.set('p1', 'Ada');
    expect(saved).toEqual([]);
    names.set('p2', 'Grace');
    names.set('p2', '   ');
    expect(saved).toEqual([{ p1: 'Ada', p2: 'Grace' }]);
  });

  it('cuts names longer than MAX_NAME_LENGTH and trims spaces, and labels unknown peers by id', () => {
    const names = new MemberNames();
    names.set('p1', ` ${'x'.repeat(MAX_NAME_LENGTH + 10)} `);
    expect(names.get('p1')).toHaveLength(MAX_NAME_LENGTH);
    expect(names.label('p9')).toBe('p9');
  });
});

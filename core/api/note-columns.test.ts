import { describe, expect, it } from 'vitest';
import { changeFromWire, changeToWire, fromColumns, toColumns } from './note-columns.ts';
import type { Note, NotesChange } from './types.ts';

const note = (seq: number, author: string, text = `note ${seq}`): Note => ({
  id: `n${seq.toString(36)}`, seq, number: seq - 1, text, author, createdAt: 1_765_000_000_000 + seq, updatedAt: 1_765_000_000_500 + seq, version: seq % 3 + 1,
});

describe('note columns', () => {
  it('carry notes as one array per field, each author once, and give the same notes back', () => {
    const notes = [note(2, 'Ada'), note(5, 'Grace', 'line\none "quoted" ✓'), note(9, 'Ada'), note(40, 'Linus')];
    const columns = toColumns(notes);
    expect(columns.authors).toEqual(['Ada', 'Grace', 'Linus']);
    expect(columns.author).toEqual([0, 1, 0, 2]);
    expect(columns.seq).toEqual([2, 5, 9, 40]);
    expect(fromColumns(JSON.parse(JSON.stringify(columns)))).toEqual(notes);
    expect(fromColumns(toColumns([]))).toEqual([]);
  });

  it('leave the rest of a change as it is', () => {
    const change: NotesChange = { reset: true, revision: 40, notes: [note(40, 'Ada')], deleted: ['n3'], pending: [], conflicts: [], commitIndex: 41, more: false };
    const wire = JSON.parse(JSON.stringify(changeToWire(change)));
    expect(Array.isArray(wire.notes)).toBe(false);
    expect(changeFromWire(wire)).toEqual(change);
  });

  it('are refused, naming the column, when they are not columns of one length', () => {
    const good = () => JSON.parse(JSON.stringify(toColumns([note(2, 'Ada'), note(3, 'Ada')])));
    expect(() => fromColumns([note(2, 'Ada')])).toThrow(/column "id" must be an array\./);
    expect(() => fromColumns(null)).toThrow(/object of columns/);
    expect(() => fromColumns({ ...good(), text: ['only one'] })).toThrow(/column "text" must be an array of 2 values/);
    expect(() => fromColumns({ ...good(), version: [1, '2'] })).toThrow(/column "version" must hold numbers only/);
    expect(() => fromColumns({ ...good(), author: [0, 1] })).toThrow(/names author 1, and "authors" has 1/);
    expect(() => changeFromWire('notes')).toThrow(/must be a JSON object/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Note, NotesChange } from '../core/api/types.ts';
import { NotesMirror } from './notes-mirror.ts';

const note = (n: number, text = `note ${n}`, version = 1): Note =>
  ({ id: `n${n}`, seq: n, number: n, text, author: 'Ada', createdAt: n, updatedAt: n, version });
const change = (fields: Partial<NotesChange>): NotesChange =>
  ({ reset: false, revision: 1, notes: [], deleted: [], pending: [], conflicts: [], commitIndex: 1, more: false, ...fields });

describe('NotesMirror', () => {
  it('applies changes to the whole document of a reset: edits in place, additions last, deletions gone', () => {
    const mirror = new NotesMirror();
    expect(mirror.apply(change({ reset: true, revision: 3, notes: [note(1), note(2), note(3)] }))!.notes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    const after = mirror.apply(change({ revision: 6, notes: [note(2, 'two, edited', 2), note(5)], deleted: ['n1'], commitIndex: 6 }))!;
    expect(after.notes.map((n) => n.text)).toEqual(['two, edited', 'note 3', 'note 5']);
    expect(after.commitIndex).toBe(6);
  });

  it('starts again from a new reset, and ignores changes before the first one', () => {
    const mirror = new NotesMirror();
    expect(mirror.apply(change({ notes: [note(1)] }))).toBeNull();
    mirror.apply(change({ reset: true, notes: [note(1), note(2)] }));
    expect(mirror.apply(change({ reset: true, revision: 9, notes: [note(4)] }))!.notes.map((n) => n.id)).toEqual(['n4']);
  });

  it('shows the first part of a big document, takes the next ones in, and shows the whole with the last', () => {
    const mirror = new NotesMirror();
    expect(mirror.apply(change({ reset: true, revision: 5, notes: [note(1), note(2)], more: true }))!.notes.map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(mirror.apply(change({ revision: 5, notes: [note(3), note(4)], more: true }))).toBeNull();
    expect(mirror.apply(change({ revision: 5, notes: [note(5)] }))!.notes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('passes the pending and refused requests on as they come', () => {
    const mirror = new NotesMirror();
    const pending = [{ requestId: '1', op: 'add' as const, text: 'offline', createdAt: 5 }];
    expect(mirror.apply(change({ reset: true, pending }))!.pending).toEqual(pending);
    expect(mirror.apply(change({ pending: [] }))!.pending).toEqual([]);
  });
});

// A notes event in parts: every note once, in log order, tombstones skipped,
// each part built only when asked for, from the rows as they were; a picture
// starts with the reset, a change with what it deleted.
import { describe, expect, it } from 'vitest';
import { noteRows, type Note, type NoteRows } from '../notes/index.ts';
import { notesInParts, type PartsHead } from './notes-parts.ts';
import type { NotesChange } from './views.ts';

const note = (n: number): Note => ({ id: `n${n}`, seq: n, number: n, text: `note ${n}`, author: 'Ada', createdAt: n, updatedAt: n, version: 1 });
const head = { revision: 9, pending: [], conflicts: [], commitIndex: 9, reset: true, deleted: [] };

/** rowsOf is a NoteRows over `notes` (null: a deleted note's row) that counts the rows it was asked for. */
function rowsOf(notes: (Note | null)[]): NoteRows & { read: number } {
  const rows = { read: 0, count: notes.length, at: (row: number) => { rows.read++; return notes[row]!; } };
  return rows;
}

/** all takes every part, in order. */
function all(rows: NoteRows, partNotes: number, first: PartsHead = head): NotesChange[] {
  const parts: NotesChange[] = [];
  for (let part: ReturnType<typeof notesInParts> | null = notesInParts(rows, first, partNotes); part !== null; part = part.next?.() ?? null) {
    parts.push(part.change);
  }
  return parts;
}

describe('notesInParts', () => {
  it('gives every live note once, in order, in parts of at most N: a reset, then changes, the last without more', () => {
    const notes = [note(1), null, note(3), note(4), null, note(6), note(7), null];
    const parts = all(rowsOf(notes), 2);
    expect(parts.map((p) => [p.reset, p.notes.map((n) => n.seq), p.more])).toEqual([
      [true, [1, 3], true], [false, [4, 6], true], [false, [7], false],
    ]);
    expect(parts.every((p) => p.revision === 9 && p.deleted.length === 0)).toBe(true);
  });

  it('is one part when the document fits, and an empty reset for an empty document', () => {
    expect(all(rowsOf([note(1), note(2)]), 5).map((p) => [p.reset, p.notes.length, p.more])).toEqual([[true, 2, false]]);
    expect(all(rowsOf([]), 5).map((p) => [p.reset, p.notes.length, p.more])).toEqual([[true, 0, false]]);
    expect(all(rowsOf([null, null]), 5).map((p) => [p.reset, p.notes.length, p.more])).toEqual([[true, 0, false]]);
  });

  it('sends a big change in parts too: what it deleted with the first, no reset', () => {
    const change = { ...head, reset: false, deleted: ['n2', 'n5'] };
    const parts = all(noteRows([note(1), note(3), note(4)]), 2, change);
    expect(parts.map((p) => [p.reset, p.notes.map((n) => n.seq), p.deleted, p.more])).toEqual([
      [false, [1, 3], ['n2', 'n5'], true], [false, [4], [], false],
    ]);
    expect(all(noteRows([]), 2, change).map((p) => [p.notes.length, p.deleted, p.more])).toEqual([[0, ['n2', 'n5'], false]]);
  });

  it('builds a part only when it is asked for', () => {
    const rows = rowsOf(Array.from({ length: 100 }, (_, i) => note(i + 1)));
    const first = notesInParts(rows, head, 10);
    expect(first.change.notes).toHaveLength(10);
    expect(rows.read).toBeLessThanOrEqual(11); // its 10 notes, and the next row: is there more?
    first.next!();
    expect(rows.read).toBeLessThanOrEqual(22);
  });
});

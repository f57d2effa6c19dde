// The notes page's search, filters and order (renderer/src/lib/notes-filter.ts), in Node: pure functions of the document.
import { describe, expect, it } from 'vitest';
import type { Note, PendingRequest } from '../../client/client-api.ts';
import { authorsOf, filterNotes, isFiltering, NO_FILTER } from '../../renderer/src/lib/notes-filter.ts';

const note = (n: number, text: string, author: string): Note =>
  ({ id: `n${n}`, seq: n, number: n, text, author, createdAt: n, updatedAt: n, version: 1 });
const notes = [note(1, 'Buy milk', 'Ada'), note(2, 'Ship the release', 'Bob'), note(3, 'milk and bread for the release party', 'Ada')];
const pending = new Map<string, PendingRequest[]>([['n2', [{ requestId: '7', op: 'edit', text: 'x', noteId: 'n2', version: 1, createdAt: 9 }]]]);
const texts = (shown: Note[]) => shown.map((n) => n.text);

describe('NotesFilter', () => {
  it('finds notes holding every word, in any case, in the text or the author', () => {
    expect(texts(filterNotes(notes, { ...NO_FILTER, query: 'MILK' }, pending))).toEqual(['Buy milk', 'milk and bread for the release party']);
    expect(texts(filterNotes(notes, { ...NO_FILTER, query: 'release  milk' }, pending))).toEqual(['milk and bread for the release party']);
    expect(texts(filterNotes(notes, { ...NO_FILTER, query: 'bob' }, pending))).toEqual(['Ship the release']);
  });

  it('filters by author and by pending, and orders newest first', () => {
    expect(texts(filterNotes(notes, { ...NO_FILTER, author: 'Ada', order: 'newest' }, pending))).toEqual(['milk and bread for the release party', 'Buy milk']);
    expect(texts(filterNotes(notes, { ...NO_FILTER, pendingOnly: true }, pending))).toEqual(['Ship the release']);
    expect(isFiltering(NO_FILTER)).toBe(false);
    expect(isFiltering({ ...NO_FILTER, query: '  ' })).toBe(false);
    expect(isFiltering({ ...NO_FILTER, pendingOnly: true })).toBe(true);
  });

  it('leaves the document as it is', () => {
    const copy = [...notes];
    filterNotes(notes, { ...NO_FILTER, order: 'newest' }, pending);
    expect(notes).toEqual(copy);
  });

  it('lists every author once, sorted, however the notes interleave', () => {
    expect(authorsOf([...notes, note(4, 'x', 'Ada'), note(5, 'y', 'Cy'), note(6, 'z', 'Bob')])).toEqual(['Ada', 'Bob', 'Cy']);
  });
});

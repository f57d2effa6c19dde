// A `notes` event's notes in parts of at most N notes each: a big notebook's
// first picture (the whole document), or a big change (up to MAX_CHANGES
// notes), each part built only when it is about to be sent. A picture is read
// from a frozen copy of the rows taken with the revision, so its parts
// describe that revision even while the document goes on changing, and the
// first screen of notes leaves before the other 95,000 are built: for 100,000
// notes, building them all first held back the first part by about 300 ms on
// a cold peer (the page sat idle meanwhile). The rows are read as a
// snapshot's are written out, with readRows.
import { readRows, type NoteRows } from '../notes/index.ts';
import type { NotesChange, NotesPart } from './views.ts';

/** The NotesChange of the first part, without its notes: later parts repeat it, but for `reset` and `deleted`. */
export type PartsHead = Omit<NotesChange, 'notes' | 'more'>;

/**
 * notesInParts is the change `head` with the notes of `rows` from row `from`
 * on: its first `partNotes` notes, then changes of the same revision that add
 * the next ones (no reset, nothing deleted); `more` says whether another part
 * follows.
 */
export function notesInParts(rows: NoteRows, head: PartsHead, partNotes: number, from = 0): NotesPart {
  const { notes, next } = readRows(rows, from, partNotes);
  const more = next < rows.count;
  return {
    change: { ...head, notes, more },
    next: more ? () => notesInParts(rows, { ...head, reset: false, deleted: [] }, partNotes, next) : null,
  };
}

// The whole document as `notes` events of at most N notes each (a big
// notebook's first picture), each part built only when it is about to be
// sent. The parts are read from a frozen copy of the rows taken with the
// revision, so they describe that revision even while the document goes on
// changing, and the first screen of notes leaves before the other 95,000 are
// built: for 100,000 notes, building them all first held back the first part
// by about 300 ms on a cold peer (the page sat idle meanwhile). The rows are
// read as a snapshot's are written out, with readRows.
import { readRows, type NoteRows } from '../notes/index.ts';
import type { NotesChange, NotesPart } from './views.ts';

/** The part of a NotesChange that every part of one picture repeats. */
export type PictureHead = Pick<NotesChange, 'revision' | 'pending' | 'conflicts' | 'commitIndex'>;

/**
 * notesInParts is the picture of `rows` from row `from` on: the reset with
 * its first `partNotes` notes (from row 0), then changes that add the next
 * ones; `more` says whether another part follows.
 */
export function notesInParts(rows: NoteRows, head: PictureHead, partNotes: number, from = 0): NotesPart {
  const { notes, next } = readRows(rows, from, partNotes);
  const more = next < rows.count;
  return {
    change: { ...head, reset: from === 0, notes, deleted: [], more },
    next: more ? () => notesInParts(rows, head, partNotes, next) : null,
  };
}

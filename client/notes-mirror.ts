// NotesMirror keeps a client's copy of a peer's document from its `notes`
// events, each of which carries only what changed since the last one
// (NotesChange, docs/api.md): a reset replaces the copy, a change replaces
// the notes it lists (new ones go last: they were added later in the log)
// and drops the deleted ones. Both clients (HTTP, IPC) hand the renderer the
// whole NotesSnapshot it always had. A big document comes in parts (`more`):
// the first part is handed on (the first screen shows), the next ones are
// only taken in until the last, so the page renders twice, not once a part.
import type { Note, NotesChange, NotesSnapshot } from '../core/api/types.ts';

/** NotesMirror is one subscription's copy of the document. */
export class NotesMirror {
  /** The notes by id, in log order (a Map keeps the order in which ids were first set). */
  private readonly notes = new Map<string, Note>();
  /** The revision of the copy; -1 before the first reset. */
  private revision = -1;

  /**
   * apply takes one `notes` event and answers the document it leaves; null
   * when a change comes before the first reset (ignored), and for a part of a
   * big document that is neither its first nor its last (taken in, not shown).
   */
  apply(change: NotesChange): NotesSnapshot | null {
    if (change.reset) {
      this.notes.clear();
    } else if (this.revision < 0) {
      return null;
    }
    for (const id of change.deleted) this.notes.delete(id);
    for (const note of change.notes) this.notes.set(note.id, note);
    this.revision = change.revision;
    if (change.more && !change.reset) return null;
    return { notes: [...this.notes.values()], pending: change.pending, conflicts: change.conflicts, commitIndex: change.commitIndex };
  }
}

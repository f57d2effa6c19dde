// UndoDeletes holds the notes the user deleted for UNDO_MS before the delete
// is sent, so "Undo" can take it back: the note is hidden from the list
// meanwhile. Once the time is up the delete goes to the peer with the
// version the user saw (compare-and-swap), as any delete; a refusal (the note
// changed meanwhile) shows the note again with the reason.
import type { ClientApi, Note } from '../../../client/client-api.ts';
import { errorText } from './format.ts';

/** UNDO_MS is how long a delete can be undone. */
export const UNDO_MS = 5_000;

/** Deleting is a delete the user can still undo. */
export interface Deleting {
  note: Note;
  timer: ReturnType<typeof setTimeout>;
}

/** UndoDeletes is the page's deletes waiting out their undo time. */
export class UndoDeletes {
  private readonly client: ClientApi;
  /** The deletes that can still be undone, oldest first. */
  waiting = $state.raw<Deleting[]>([]);
  /** Why the last delete sent was refused, or null. */
  error = $state<string | null>(null);
  /** Pending after its undo time: no majority answered yet. */
  notice = $state<string | null>(null);

  constructor(client: ClientApi) {
    this.client = client;
  }

  /** Notes whose delete committed: hidden even if the event that drops them comes after the answer. */
  private committed = $state.raw<Set<string>>(new Set());

  /** hidden are the ids of the notes waiting to be deleted, or deleted. */
  get hidden(): Set<string> {
    return new Set([...this.committed, ...this.waiting.map((d) => d.note.id)]);
  }

  /** delete hides `note` and sends its delete after UNDO_MS unless undone. */
  delete(note: Note): void {
    this.error = null;
    this.notice = null;
    const timer = setTimeout(() => void this.send(note.id), UNDO_MS);
    this.waiting = [...this.waiting, { note, timer }];
  }

  /** undo takes the delete of note `id` back. */
  undo(id: string): void {
    const entry = this.waiting.find((d) => d.note.id === id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.waiting = this.waiting.filter((d) => d !== entry);
  }

  /** flush sends every waiting delete now (the page is being left). */
  flush(): void {
    for (const d of this.waiting) {
      clearTimeout(d.timer);
      void this.send(d.note.id);
    }
  }

  private async send(id: string): Promise<void> {
    const entry = this.waiting.find((d) => d.note.id === id);
    if (entry === undefined) return;
    try {
      const result = await this.client.deleteNote(entry.note.id, entry.note.version);
      if (result.committed) this.committed = new Set([...this.committed, id]);
      else this.notice = `The delete of note #${entry.note.number} is kept on this peer as pending until a majority answers.`;
    } catch (error) {
      this.error = `Note #${entry.note.number} was not deleted: ${errorText(error)}`;
    } finally {
      this.waiting = this.waiting.filter((d) => d !== entry);
    }
  }
}

// UndoDeletes holds the notes the user deleted for UNDO_MS before the delete
// is sent, so "Undo" can take it back: the note is hidden from the list
// meanwhile. Once the time is up the delete goes to the peer with the
// version the user saw (compare-and-swap), as any delete; a refusal (the note
// changed meanwhile) shows the note again with the reason. A delete still
// waiting when the page goes away (pagehide: the tab closed, another page
// opened; or the list destroyed) is sent at once, with keepalive so the
// request outlives the page: closing the tab never silently keeps the note.
import type { ClientApi, Note } from '../../../client/client-api.ts';
import { errorText } from './format.ts';

/** UNDO_MS is how long a delete can be undone. */
export const UNDO_MS = 5_000;

/** Deleting is a delete the user can still undo, or one sent and not answered yet. */
export interface Deleting {
  note: Note;
  /** The undo time's timer; null once the delete is sent (it can no longer be undone). */
  timer: ReturnType<typeof setTimeout> | null;
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
    const entry: Deleting = { note, timer: null };
    entry.timer = setTimeout(() => void this.send(entry, false), UNDO_MS);
    this.waiting = [...this.waiting, entry];
  }

  /** undo takes the delete of note `id` back, unless it was sent already. */
  undo(id: string): void {
    const entry = this.waiting.find((d) => d.note.id === id);
    if (entry === undefined || entry.timer === null) return;
    clearTimeout(entry.timer);
    this.waiting = this.waiting.filter((d) => d !== entry);
  }

  /** flush sends every delete still waiting now, as requests that outlive the page (it is being left). */
  flush(): void {
    for (const entry of this.waiting) {
      if (entry.timer !== null) void this.send(entry, true);
    }
  }

  private async send(entry: Deleting, keepalive: boolean): Promise<void> {
    if (entry.timer === null) return; // sent already
    clearTimeout(entry.timer);
    entry.timer = null;
    try {
      const result = await this.client.deleteNote(entry.note.id, entry.note.version, { keepalive });
      if (result.committed) this.committed = new Set([...this.committed, entry.note.id]);
      else this.notice = `The delete of note #${entry.note.number} is kept on this peer as pending until a majority answers.`;
    } catch (error) {
      this.error = `Note #${entry.note.number} was not deleted: ${errorText(error)}`;
    } finally {
      this.waiting = this.waiting.filter((d) => d !== entry);
    }
  }
}

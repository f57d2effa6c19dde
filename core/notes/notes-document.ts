// NotesDocument is the replicated state machine: the ordered notes that the
// committed log describes. Applying is deterministic: the same commands in the
// same order give the same document on every peer.
import type { Command } from './command.ts';
import { Sessions, type Session } from './sessions.ts';

/** Note is one note of the document. */
export interface Note {
  /** Stable id, from the log index that added the note. */
  id: string;
  /** The note's place in the log: the index of the entry that added it. */
  seq: number;
  text: string;
  author: string;
  createdAt: number;
  updatedAt: number;
  /** 1 when added; every edit adds one. Edits and deletes name the version they saw. */
  version: number;
}

/** ApplyResult is what one command did. */
export type ApplyResult =
  | { ok: true; op: 'add' | 'edit' | 'delete'; note: Note }
  | { ok: false; error: 'conflict'; current: Note }
  | { ok: false; error: 'not-found' }
  | { ok: false; error: 'duplicate' };

/** SNAPSHOT_FORMAT is the version of the snapshot encoding below. */
const SNAPSHOT_FORMAT = 1;

interface SnapshotBody {
  format: number;
  appliedIndex: number;
  notes: Note[];
  sessions: Array<[string, Session]>;
}

/** noteId is the id of the note added by the entry at `index`. */
export function noteId(index: number): string {
  return `n${index.toString(36)}`;
}

/** noteIndex is the log index of the entry that added note `id`, or null when `id` is not a note id. */
export function noteIndex(id: string): number | null {
  if (!/^n[0-9a-z]{1,11}$/.test(id)) return null;
  const index = parseInt(id.slice(1), 36);
  return index >= 1 && noteId(index) === id ? index : null;
}

/** CertainRefusal is what a document already knows an edit or delete will get from the log, whatever comes before it. */
export type CertainRefusal = { error: 'not-found' } | { error: 'conflict'; current: Note };

/** NotesDocument holds the notes in log order and the client sessions. */
export class NotesDocument {
  /** Insertion order is log order, so iteration lists notes by seq. */
  private notes = new Map<string, Note>();
  private sessions = new Sessions();
  /** The log index of the last entry applied. */
  appliedIndex = 0;

  /** apply runs the command of the committed entry at `index`. */
  apply(index: number, command: Command): ApplyResult {
    if (index <= this.appliedIndex) throw new RangeError(`entry ${index} was applied already (at ${this.appliedIndex})`);
    this.appliedIndex = index;
    if (this.sessions.applied(command.client, command.seq)) return { ok: false, error: 'duplicate' };
    this.sessions.record(command.client, command.seq, index);
    switch (command.op) {
      case 'add': {
        const note: Note = { id: noteId(index), seq: index, text: command.text, author: command.author,
          createdAt: command.at, updatedAt: command.at, version: 1 };
        this.notes.set(note.id, note);
        return { ok: true, op: 'add', note };
      }
      case 'edit':
      case 'delete': {
        const current = this.notes.get(command.id);
        if (current === undefined) return { ok: false, error: 'not-found' };
        // Compare-and-swap: an edit or delete of a version other than the current one is a conflict.
        if (current.version !== command.version) return { ok: false, error: 'conflict', current };
        if (command.op === 'delete') {
          this.notes.delete(command.id);
          return { ok: true, op: 'delete', note: current };
        }
        const note: Note = { ...current, text: command.text, author: command.author, updatedAt: command.at, version: current.version + 1 };
        this.notes.set(note.id, note);
        return { ok: true, op: 'edit', note };
      }
    }
  }

  /** skip records that the entry at `index` changed nothing (a noop, a config change, an unreadable command). */
  skip(index: number): void {
    if (index > this.appliedIndex) this.appliedIndex = index;
  }

  /**
   * certainRefusal is the refusal an edit or delete of version `version` of
   * note `id` is sure to get from the log, however far behind this copy is;
   * null when only the log can tell. A note's version only grows, and a note
   * whose entry was applied and that is not here was deleted (or never was):
   * so a version older than this copy's, or a note gone here, is refused for
   * certain; a version this copy has not reached yet, or a note from an entry
   * not applied yet, may be right on the leader.
   */
  certainRefusal(id: string, version: number): CertainRefusal | null {
    const current = this.notes.get(id);
    if (current === undefined) {
      const index = noteIndex(id);
      return index === null || index <= this.appliedIndex ? { error: 'not-found' } : null;
    }
    return version < current.version ? { error: 'conflict', current } : null;
  }

  /** isApplied says whether the request (client, seq) was applied. */
  isApplied(client: string, seq: number): boolean {
    return this.sessions.applied(client, seq);
  }

  /** list is every note, in log order. */
  list(): Note[] {
    return [...this.notes.values()];
  }

  get(id: string): Note | undefined {
    return this.notes.get(id);
  }

  size(): number {
    return this.notes.size;
  }

  /** snapshot is the document's image, for Raft compaction. */
  snapshot(): Uint8Array {
    const body: SnapshotBody = { format: SNAPSHOT_FORMAT, appliedIndex: this.appliedIndex, notes: this.list(), sessions: this.sessions.toJSON() };
    return new TextEncoder().encode(JSON.stringify(body));
  }

  /** restore rebuilds a document from snapshot(); it throws on data of another format. */
  static restore(data: Uint8Array): NotesDocument {
    const body = JSON.parse(new TextDecoder().decode(data)) as SnapshotBody;
    if (body?.format !== SNAPSHOT_FORMAT || !Array.isArray(body.notes) || !Array.isArray(body.sessions)) {
      throw new RangeError(`snapshot format ${String(body?.format)} is not ${SNAPSHOT_FORMAT}`);
    }
    const doc = new NotesDocument();
    doc.appliedIndex = body.appliedIndex;
    for (const note of body.notes) doc.notes.set(note.id, note);
    doc.sessions = Sessions.fromJSON(body.sessions);
    return doc;
  }
}

// NotesDocument is the replicated state machine: the ordered notes that the
// committed log describes. Applying is deterministic: the same commands in the
// same order give the same document on every peer.
//
// Notes are numbered densely per notebook (#1, #2, #3…) as they are added: the
// number is the document's, so every peer shows the same one, and it is kept
// in snapshots. The document also keeps a bounded log of which note each
// recent entry changed, so a page can be sent the changes since the version
// it holds (changesSince) instead of the whole document.
import type { Command } from './command.ts';
import { Sessions, type Session } from './sessions.ts';

/** Note is one note of the document. */
export interface Note {
  /** Stable id, from the log index that added the note. */
  id: string;
  /** The note's place in the log: the index of the entry that added it. */
  seq: number;
  /** The note's number in its notebook: 1 for the first note added, then 2, 3… (deleted notes keep theirs). */
  number: number;
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

/** SNAPSHOT_FORMAT is the version of the snapshot encoding below (format 1 had no note numbers). */
const SNAPSHOT_FORMAT = 2;

interface SnapshotBody {
  format: number;
  appliedIndex: number;
  /** The number the next note added gets (format 2). */
  nextNumber?: number;
  notes: Note[];
  sessions: Array<[string, Session]>;
}

/** MAX_CHANGES is how many recent changes the document remembers for changesSince. */
export const MAX_CHANGES = 20_000;

/** Changes are what changed in the document after an applied index: the notes added or edited, in log order, and the ids deleted. */
export interface Changes {
  notes: Note[];
  deleted: string[];
}

/** noteId is the id of the note added by the entry at `index`. */
export function noteId(index: number): string {
  return `n${index.toString(36)}`;
}

/** NotesDocument holds the notes in log order and the client sessions. */
export class NotesDocument {
  /** Insertion order is log order, so iteration lists notes by seq. */
  private notes = new Map<string, Note>();
  private sessions = new Sessions();
  /** The log index of the last entry applied. */
  appliedIndex = 0;
  /** The number the next note added gets. Invariant: greater than every note's number. */
  private nextNumber = 1;
  /** The notes changed by recent entries, in index order: [index, note id]. At most MAX_CHANGES. */
  private changes: Array<[number, string]> = [];
  /** changesSince knows every change after this index. Invariant: changesFloor <= appliedIndex. */
  private changesFloor = 0;

  /** apply runs the command of the committed entry at `index`. */
  apply(index: number, command: Command): ApplyResult {
    if (index <= this.appliedIndex) throw new RangeError(`entry ${index} was applied already (at ${this.appliedIndex})`);
    this.appliedIndex = index;
    if (this.sessions.applied(command.client, command.seq)) return { ok: false, error: 'duplicate' };
    this.sessions.record(command.client, command.seq, index);
    switch (command.op) {
      case 'add': {
        const note: Note = { id: noteId(index), seq: index, number: this.nextNumber++, text: command.text, author: command.author,
          createdAt: command.at, updatedAt: command.at, version: 1 };
        this.notes.set(note.id, note);
        this.changed(index, note.id);
        return { ok: true, op: 'add', note };
      }
      case 'edit':
      case 'delete': {
        const current = this.notes.get(command.id);
        if (current === undefined) return { ok: false, error: 'not-found' };
        // Compare-and-swap: an edit or delete of a version other than the current one is a conflict.
        if (current.version !== command.version) return { ok: false, error: 'conflict', current };
        this.changed(index, command.id);
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

  /**
   * changesSince is what changed after applied index `index`, or null when
   * the document no longer remembers that far back (the whole document is
   * then the answer).
   */
  changesSince(index: number): Changes | null {
    if (index < this.changesFloor || index > this.appliedIndex) return null;
    // The first change after `index`: changes are sorted by index.
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.changes[mid]![0] <= index) lo = mid + 1;
      else hi = mid;
    }
    const ids = new Set<string>();
    for (let i = lo; i < this.changes.length; i++) ids.add(this.changes[i]![1]);
    const notes: Note[] = [];
    const deleted: string[] = [];
    for (const id of ids) {
      const note = this.notes.get(id);
      if (note === undefined) deleted.push(id);
      else notes.push(note);
    }
    notes.sort((a, b) => a.seq - b.seq);
    return { notes, deleted };
  }

  /** changed remembers that the entry at `index` changed note `id`, forgetting the oldest change past MAX_CHANGES. */
  private changed(index: number, id: string): void {
    this.changes.push([index, id]);
    if (this.changes.length > MAX_CHANGES) {
      const dropped = this.changes.splice(0, this.changes.length - MAX_CHANGES / 2);
      this.changesFloor = dropped[dropped.length - 1]![0];
    }
  }

  /** skip records that the entry at `index` changed nothing (a noop, a config change, an unreadable command). */
  skip(index: number): void {
    if (index > this.appliedIndex) this.appliedIndex = index;
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
    const body: SnapshotBody = {
      format: SNAPSHOT_FORMAT, appliedIndex: this.appliedIndex, nextNumber: this.nextNumber, notes: this.list(), sessions: this.sessions.toJSON(),
    };
    return new TextEncoder().encode(JSON.stringify(body));
  }

  /**
   * restore rebuilds a document from snapshot(); it throws on data of another
   * format. A format-1 snapshot (before note numbers) numbers its notes in
   * log order from 1, the same on every peer that restores it.
   */
  static restore(data: Uint8Array): NotesDocument {
    const body = JSON.parse(new TextDecoder().decode(data)) as SnapshotBody;
    if ((body?.format !== SNAPSHOT_FORMAT && body?.format !== 1) || !Array.isArray(body.notes) || !Array.isArray(body.sessions)) {
      throw new RangeError(`snapshot format ${String(body?.format)} is not ${SNAPSHOT_FORMAT}`);
    }
    const doc = new NotesDocument();
    doc.appliedIndex = body.appliedIndex;
    doc.changesFloor = body.appliedIndex;
    const numbered = body.format === 1 ? body.notes.map((note, i) => ({ ...note, number: i + 1 })) : body.notes;
    for (const note of numbered) doc.notes.set(note.id, note);
    doc.nextNumber = body.nextNumber ?? numbered.length + 1;
    doc.sessions = Sessions.fromJSON(body.sessions);
    return doc;
  }
}

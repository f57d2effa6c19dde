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
import { ImageReader } from './image-reader.ts';
import { NoteTable, noteId, noteIndex, type FrozenNotes, type Note, type NoteRows } from './note-table.ts';
import { MAX_CHANGES, RecentChanges } from './recent-changes.ts';
import { Sessions, type Session } from './sessions.ts';

export { MAX_CHANGES, noteId, noteIndex, type Note };

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

/** SnapshotImage is the document at one applied index, to be written out by imageParts: the JSON of a SnapshotBody. */
export interface SnapshotImage {
  /** The body up to the notes array. */
  readonly head: string;
  readonly notes: FrozenNotes;
  /** The body after the notes array. */
  readonly tail: string;
}

/**
 * imageParts writes out an image as JSON in pieces, a part of notes each
 * (NoteParts); joined, they are the snapshot's bytes. A snapshot writer that
 * keeps its pieces between snapshots (SnapshotPacker) writes the same ones.
 */
export function* imageParts(image: SnapshotImage): Generator<string> {
  yield image.head;
  let first = true;
  for (let part = 0; part < image.notes.parts; part++) {
    const notes = image.notes.notesIn(part);
    if (notes.length === 0) continue;
    yield partJson(notes, first);
    first = false;
  }
  yield image.tail;
}

/** partJson is the piece of an image's notes array that holds `notes`: a comma joins it to the piece before, unless it is the first. */
export function partJson(notes: readonly Note[], first: boolean): string {
  return (first ? '' : ',') + notesJson(notes);
}

/**
 * notesJson is JSON.stringify(notes) without its brackets, written field by
 * field: the same characters, and the whole image of 100,000 notes in 92 ms
 * instead of 113 (when a peer wrote the whole image every 10,000 entries,
 * under load it was 5-6% of every peer's time). Numbers are finite and ids are `n`
 * and base-36 digits, so only texts and authors need escaping.
 */
export function notesJson(notes: readonly Note[]): string {
  let json = '';
  for (let i = 0; i < notes.length; i++) {
    const n = notes[i]!;
    json += `${i === 0 ? '' : ','}{"id":"${n.id}","seq":${n.seq},"number":${n.number},"text":${JSON.stringify(n.text)},`
      + `"author":${JSON.stringify(n.author)},"createdAt":${n.createdAt},"updatedAt":${n.updatedAt},"version":${n.version}}`;
  }
  return json;
}

/** Changes are what changed in the document after an applied index: the notes added or edited, in log order, and the ids deleted. */
export interface Changes {
  notes: Note[];
  deleted: string[];
}

/** CertainRefusal is what a document already knows an edit or delete will get from the log, whatever comes before it. */
export type CertainRefusal = { error: 'not-found' } | { error: 'conflict'; current: Note };

/** NotesDocument holds the notes in log order and the client sessions. */
export class NotesDocument {
  private notes = new NoteTable();
  private sessions = new Sessions();
  /** The log index of the last entry applied. */
  appliedIndex = 0;
  /** The number the next note added gets. Invariant: greater than every note's number. */
  private nextNumber = 1;
  /** The notes changed by recent entries (at most MAX_CHANGES); changesSince knows every change after changes.floor. Invariant: changes.floor <= appliedIndex. */
  private changes = new RecentChanges(0);

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
        this.notes.append(note);
        this.changes.add(index, note.seq);
        return { ok: true, op: 'add', note };
      }
      case 'edit':
      case 'delete': {
        const current = this.get(command.id);
        if (current === undefined) return { ok: false, error: 'not-found' };
        // Compare-and-swap: an edit or delete of a version other than the current one is a conflict.
        if (current.version !== command.version) return { ok: false, error: 'conflict', current };
        this.changes.add(index, current.seq);
        if (command.op === 'delete') {
          this.notes.delete(current.seq);
          return { ok: true, op: 'delete', note: current };
        }
        const note: Note = { ...current, text: command.text, author: command.author, updatedAt: command.at, version: current.version + 1 };
        this.notes.replace(note);
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
    if (index < this.changes.floor || index > this.appliedIndex) return null;
    const notes: Note[] = [];
    const deleted: string[] = [];
    for (const seq of this.changes.seqsAfter(index)) {
      const note = this.notes.get(seq);
      if (note === undefined) deleted.push(noteId(seq));
      else notes.push(note);
    }
    notes.sort((a, b) => a.seq - b.seq);
    return { notes, deleted };
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
    const current = this.get(id);
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
    return this.notes.list();
  }

  /** rows is a frozen copy of the notes' rows (cheap: numbers copied, texts shared), to be read while the document goes on changing. */
  rows(): NoteRows {
    return this.notes.frozen();
  }

  /** get is note `id` (a copy), or undefined when there is none. */
  get(id: string): Note | undefined {
    const seq = noteIndex(id);
    return seq === null ? undefined : this.notes.get(seq);
  }

  size(): number {
    return this.notes.size();
  }

  /** snapshot is the document's image, for Raft compaction: snapshotImage() written out whole. */
  snapshot(): Uint8Array {
    return new TextEncoder().encode([...imageParts(this.snapshotImage())].join(''));
  }

  /**
   * snapshotImage is the document as it stands, cheap to take: its notes are
   * a frozen copy of the table (numbers copied, strings shared), the rest is
   * written out now. imageParts writes it out later, in pieces, while
   * the document goes on changing.
   */
  snapshotImage(): SnapshotImage {
    return {
      head: `{"format":${SNAPSHOT_FORMAT},"appliedIndex":${this.appliedIndex},"nextNumber":${this.nextNumber},"notes":[`,
      notes: this.notes.frozen(),
      tail: `],"sessions":${JSON.stringify(this.sessions.toJSON())}}`,
    };
  }

  /**
   * restore rebuilds a document from snapshot(), given whole or in pieces (a
   * compressed snapshot's members, decompressed one at a time); it throws on
   * data of another format. A format-2 image, laid out as imageParts writes
   * it, is read a batch of notes at a time: parsed whole, 200,000 notes were a
   * string of 44 MB and 200,000 objects at once. Other JSON (a format-1
   * snapshot, before note numbers, which numbers its notes in log order from
   * 1, the same on every peer that restores it) is parsed whole.
   */
  static restore(image: Uint8Array | Iterable<Uint8Array>): NotesDocument {
    const reader = new ImageReader(image instanceof Uint8Array ? [image] : image);
    const head = IMAGE_HEAD.exec(reader.peekText(MAX_HEAD_BYTES));
    if (head === null) return NotesDocument.restoreWhole(reader.restText());
    reader.skip(head[0].length);
    const doc = new NotesDocument();
    doc.appliedIndex = wholeField('appliedIndex', head[1]!, 0);
    doc.changes = new RecentChanges(doc.appliedIndex);
    doc.nextNumber = wholeField('nextNumber', head[2]!, 1);
    let more = reader.peekByte() !== CLOSE_BRACKET;
    while (more) {
      const batch = reader.notes(RESTORE_BATCH_BYTES);
      for (const note of JSON.parse(`[${batch.json}]`) as Note[]) doc.notes.append(checkedNote(note));
      more = batch.more;
    }
    const offset = reader.offset;
    const rest = reader.restText();
    if (!rest.startsWith(']')) throw new RangeError(`snapshot notes are not a list of notes (byte ${offset})`);
    const tail = rest.startsWith('],') ? JSON.parse(`{${rest.slice(2)}`) as Partial<SnapshotBody> : null;
    if (tail === null || Object.keys(tail).length !== 1 || !Array.isArray(tail.sessions)) {
      throw new RangeError(`snapshot has no sessions after its notes (byte ${offset + 1})`);
    }
    doc.sessions = Sessions.fromJSON(tail.sessions);
    return doc;
  }

  /** restoreWhole rebuilds a document from an image parsed whole. */
  private static restoreWhole(json: string): NotesDocument {
    const body = JSON.parse(json) as SnapshotBody;
    if ((body?.format !== SNAPSHOT_FORMAT && body?.format !== 1) || !Array.isArray(body.notes) || !Array.isArray(body.sessions)) {
      throw new RangeError(`snapshot format ${String(body?.format)} is not ${SNAPSHOT_FORMAT}`);
    }
    const doc = new NotesDocument();
    doc.appliedIndex = body.appliedIndex;
    doc.changes = new RecentChanges(body.appliedIndex);
    const numbered = body.format === 1 ? body.notes.map((note, i) => ({ ...note, number: i + 1 })) : body.notes;
    for (const note of numbered) doc.notes.append(checkedNote(note));
    doc.nextNumber = body.nextNumber ?? numbered.length + 1;
    doc.sessions = Sessions.fromJSON(body.sessions);
    return doc;
  }
}

/** IMAGE_HEAD is the start of an image as snapshotImage() writes it, up to its first note. */
const IMAGE_HEAD = new RegExp(`^\\{"format":${SNAPSHOT_FORMAT},"appliedIndex":(\\d{1,16}),"nextNumber":(\\d{1,16}),"notes":\\[`);
/** MAX_HEAD_BYTES is more than IMAGE_HEAD can match. */
const MAX_HEAD_BYTES = 128;
/** RESTORE_BATCH_BYTES is about how much of an image's notes is parsed at a time. */
const RESTORE_BATCH_BYTES = 1 << 20;
const CLOSE_BRACKET = 0x5d;

/** wholeField is a whole number of the image's head, at least `min`. */
function wholeField(key: string, digits: string, min: number): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`snapshot ${key} ${digits} is not a whole number of at least ${min}`);
  return value;
}

/** checkedNote is a note of a snapshot, checked field by field: a malformed snapshot throws, naming the field. */
function checkedNote(note: Note): Note {
  if (typeof note !== 'object' || note === null) throw new RangeError('snapshot note is not an object');
  checkWhole('seq', note.seq);
  checkWhole('number', note.number);
  checkWhole('version', note.version);
  if (note.id !== noteId(note.seq)) throw new RangeError(`snapshot note id ${String(note.id)} is not the id of seq ${note.seq}`);
  if (typeof note.text !== 'string' || typeof note.author !== 'string') throw new RangeError(`snapshot note ${note.id} has no text or author string`);
  if (typeof note.createdAt !== 'number' || typeof note.updatedAt !== 'number') throw new RangeError(`snapshot note ${note.id} has no times`);
  return note;
}

function checkWhole(key: 'seq' | 'number' | 'version', value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`snapshot note ${key} ${String(value)} is not a positive integer`);
}

// The notes of a `notes` event as the event stream carries them: one array
// per field, not one object per note (docs/api.md, "Events"). A big
// notebook's first picture is its whole document: for 100,000 notes of 100
// bytes, columns are a third fewer bytes than objects, and a page parses them
// and makes its notes again in about half the time. Both ends use this file:
// the peer's HTTP API writes columns, the HTTP client reads them back into
// notes (the desktop app's IPC hands over the notes themselves). It imports
// nothing at run time, so the client can run it in a browser.
import type { Note, NotesChange } from './types.ts';

/** NoteColumns are notes, one array per field, all of the same length. */
export interface NoteColumns {
  id: string[];
  seq: number[];
  number: number[];
  text: string[];
  /** Each note's author, as its place in `authors`. */
  author: number[];
  /** Every author of these notes, once each. */
  authors: string[];
  createdAt: number[];
  updatedAt: number[];
  version: number[];
}

/** NotesChangeOnWire is a NotesChange as the event stream sends it. */
export type NotesChangeOnWire = Omit<NotesChange, 'notes'> & { notes: NoteColumns };

/** changeToWire is `change` with its notes as columns. */
export function changeToWire(change: NotesChange): NotesChangeOnWire {
  return { ...change, notes: toColumns(change.notes) };
}

/**
 * changeFromWire is the NotesChange an event's data describes; it throws,
 * naming what is wrong, when its notes are not NoteColumns. The rest of the
 * change is the peer's own and is taken as it is.
 */
export function changeFromWire(data: unknown): NotesChange {
  if (typeof data !== 'object' || data === null) throw new Error('A notes event must be a JSON object.');
  const change = data as NotesChangeOnWire;
  return { ...change, notes: fromColumns(change.notes) };
}

/** toColumns is `notes` as columns. */
export function toColumns(notes: readonly Note[]): NoteColumns {
  const n = notes.length;
  const columns: NoteColumns = {
    id: new Array<string>(n), seq: new Array<number>(n), number: new Array<number>(n), text: new Array<string>(n),
    author: new Array<number>(n), authors: [], createdAt: new Array<number>(n), updatedAt: new Array<number>(n), version: new Array<number>(n),
  };
  const places = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const note = notes[i]!;
    let place = places.get(note.author);
    if (place === undefined) {
      place = columns.authors.push(note.author) - 1;
      places.set(note.author, place);
    }
    columns.id[i] = note.id;
    columns.seq[i] = note.seq;
    columns.number[i] = note.number;
    columns.text[i] = note.text;
    columns.author[i] = place;
    columns.createdAt[i] = note.createdAt;
    columns.updatedAt[i] = note.updatedAt;
    columns.version[i] = note.version;
  }
  return columns;
}

/** What each column holds, "id" first: the others are as long as it. */
const COLUMN_TYPES = {
  id: 'string', seq: 'number', number: 'number', text: 'string', author: 'number', authors: 'string',
  createdAt: 'number', updatedAt: 'number', version: 'number',
} as const;

/** fromColumns is the notes `value` holds as columns; it throws, naming the column, when `value` is not NoteColumns. */
export function fromColumns(value: unknown): Note[] {
  if (typeof value !== 'object' || value === null) throw new Error('The notes of a notes event must be an object of columns.');
  const c = value as NoteColumns;
  const n = Array.isArray(c.id) ? c.id.length : 0;
  for (const [name, type] of Object.entries(COLUMN_TYPES) as [keyof NoteColumns, string][]) {
    const column: unknown = c[name];
    if (!Array.isArray(column) || (name !== 'authors' && column.length !== n)) {
      throw new Error(`The notes column "${name}" must be an array${name === 'authors' || name === 'id' ? '' : ` of ${n} values, as "id"`}.`);
    }
    for (const item of column as unknown[]) {
      if (typeof item !== type) throw new Error(`The notes column "${name}" must hold ${type}s only.`);
    }
  }
  const notes = new Array<Note>(n);
  for (let i = 0; i < n; i++) {
    const author = c.authors[c.author[i]!];
    if (author === undefined) throw new Error(`The notes column "author" names author ${c.author[i]}, and "authors" has ${c.authors.length}.`);
    notes[i] = {
      id: c.id[i]!, seq: c.seq[i]!, number: c.number[i]!, text: c.text[i]!, author,
      createdAt: c.createdAt[i]!, updatedAt: c.updatedAt[i]!, version: c.version[i]!,
    };
  }
  return notes;
}

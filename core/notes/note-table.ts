// NoteTable holds the notes of a document in columns, one row per note, in
// log order. A notebook of 200,000 notes kept as one object per note cost
// about 300 bytes a note on the JavaScript heap (the object, its id string,
// two boxed times, its map entry: 59 MiB), and V8 lets its heap grow to a few
// times what is live; here the numbers are in typed arrays and the texts in a
// TextArena (both off the heap), and a note costs its text's bytes, one
// pointer (its author, one string per author) and 52 bytes. Note objects are
// made when asked for, and are copies: changing one changes nothing here.
//
// Rows are in ascending seq order (a note's seq is the log index that added
// it, and notes are only ever appended in log order), so a note is found by
// binary search, and its id is derived from its seq. A deleted row is a
// tombstone (version 0) until the table packs itself, when tombstones are
// more than half of its rows.
import { TextArena, type TextChunks, type TextPlace } from './text-arena.ts';

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

const INITIAL_ROWS = 1_024;
/** A UTF-16 surrogate without its pair: a string that is not well-formed (String.isWellFormed is ES2024, beyond this project's lib). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The text length of a row whose text is in oddTexts. */
const ODD_TEXT = 0xffff_ffff;
/** Distinct author names remembered to share one string between their notes; past this many the memory starts over. */
const MAX_SHARED_AUTHORS = 1_024;

/** NoteRows is a frozen copy of a table's rows, for a snapshot written out while the document goes on changing. */
export interface NoteRows {
  /** count is the number of rows, tombstones included. */
  readonly count: number;
  /** at is the note in row `row`, or null for a tombstone. */
  at(row: number): Note | null;
}

/** PART_SEQS is the width of a table's parts: part k holds the notes whose seq is in [k·PART_SEQS, (k+1)·PART_SEQS). */
export const PART_SEQS = 1_000;

/**
 * NoteParts is a frozen copy of a table's notes in parts by seq, each with a
 * stamp that changes whenever one of its notes is added, edited or deleted:
 * a snapshot writer keeps what it wrote of each part and writes again only
 * the parts whose stamp changed since.
 */
export interface NoteParts {
  /** parts is the number of parts: the last holds the highest seq the table has had. */
  readonly parts: number;
  /** stamp is part `part`'s stamp: 0 while it never had a note. Stamps are unique in a process, across tables: equal stamps, equal notes. */
  stamp(part: number): number;
  /** notesIn is part `part`'s notes, in log order. */
  notesIn(part: number): Note[];
}

/** FrozenNotes is a frozen copy of a table, read by rows or by parts. */
export interface FrozenNotes extends NoteRows, NoteParts {}

/** The last stamp given to a part of any table in this process. */
let lastStamp = 0;

/** noteRows is the rows of a list of notes (none deleted). */
export function noteRows(notes: readonly Note[]): NoteRows {
  return { count: notes.length, at: (row) => notes[row]! };
}

/**
 * readRows is at most `max` notes of `rows`, from row `from` on, and `next`:
 * the row to read from next, past any deleted rows (rows.count when none are
 * left). A snapshot and a page's first picture are written out this way, in
 * pieces, each made only when it is written.
 */
export function readRows(rows: NoteRows, from: number, max: number): { notes: Note[]; next: number } {
  const notes: Note[] = [];
  let row = from;
  for (; row < rows.count && notes.length < max; row++) {
    const note = rows.at(row);
    if (note !== null) notes.push(note);
  }
  while (row < rows.count && rows.at(row) === null) row++;
  return { notes, next: row };
}

/** Columns are a table's rows, one array per field (a row's text in `texts`, or in `odd` when its length is ODD_TEXT). */
interface Columns {
  seqs: Float64Array;
  numbers: Float64Array;
  createdAts: Float64Array;
  updatedAts: Float64Array;
  /** 0 marks a tombstone. */
  versions: Float64Array;
  textAts: Float64Array;
  textLengths: Uint32Array;
  texts: TextChunks;
  odd: ReadonlyMap<number, string>;
  authors: readonly string[];
}

/** noteAt is a new Note object with the fields of live row `r`. */
function noteAt(c: Columns, r: number): Note {
  const seq = c.seqs[r]!;
  const length = c.textLengths[r]!;
  return {
    id: noteId(seq), seq, number: c.numbers[r]!, text: length === ODD_TEXT ? c.odd.get(seq)! : c.texts.text(c.textAts[r]!, length),
    author: c.authors[r]!, createdAt: c.createdAts[r]!, updatedAt: c.updatedAts[r]!, version: c.versions[r]!,
  };
}

/** NoteTable is the notes, one row each, in log order. */
export class NoteTable implements NoteRows {
  private seqs = new Float64Array(INITIAL_ROWS);
  private numbers = new Float64Array(INITIAL_ROWS);
  private createdAts = new Float64Array(INITIAL_ROWS);
  private updatedAts = new Float64Array(INITIAL_ROWS);
  /** 0 marks a tombstone. */
  private versions = new Float64Array(INITIAL_ROWS);
  /** Where each row's text is in `texts`. */
  private textAts = new Float64Array(INITIAL_ROWS);
  private textLengths = new Uint32Array(INITIAL_ROWS);
  private texts = new TextArena();
  /**
   * The texts that are not well-formed UTF-16 (a lone surrogate, which JSON
   * allows), by seq: UTF-8 cannot hold them as they are, and a note keeps its
   * text exactly. Their rows' length is ODD_TEXT.
   */
  private oddTexts = new Map<number, string>();
  private authors: string[] = [];
  /** Rows in use, tombstones included. Invariant: seqs[0..rows) is strictly ascending. */
  private rows = 0;
  /** Tombstones among the rows. */
  private dead = 0;
  private readonly sharedAuthors = new Map<string, string>();
  /** Each part's stamp (NoteParts), by part. */
  private stamps = new Float64Array(16);
  /** Parts that ever had a note: the highest one's number plus one. */
  private parts = 0;

  get count(): number {
    return this.rows;
  }

  /** size is the number of notes. */
  size(): number {
    return this.rows - this.dead;
  }

  /** append adds a note after every other; its seq must be greater than theirs. */
  append(note: Note): void {
    if (this.rows > 0 && !(note.seq > this.seqs[this.rows - 1]!)) {
      throw new RangeError(`note ${note.seq} does not follow note ${this.seqs[this.rows - 1]}: notes are appended in log order`);
    }
    if (this.rows === this.seqs.length) this.grow();
    const r = this.rows++;
    this.seqs[r] = note.seq;
    this.textLengths[r] = 0;
    this.authors.push('');
    this.write(r, note);
  }

  /** get is the note added by entry `seq`, or undefined. */
  get(seq: number): Note | undefined {
    const r = this.find(seq);
    return r === -1 ? undefined : this.note(r);
  }

  /** replace writes a new state of an existing note (the same seq, id and number). */
  replace(note: Note): void {
    const r = this.find(note.seq);
    if (r === -1) throw new RangeError(`note ${note.seq} is not in the table`);
    this.write(r, note);
  }

  /** delete removes the note added by entry `seq`; false when there is none. */
  delete(seq: number): boolean {
    const r = this.find(seq);
    if (r === -1) return false;
    this.touch(seq);
    this.versions[r] = 0;
    this.releaseText(r);
    this.dead++;
    if (this.dead > 64 && this.dead * 2 > this.rows) this.pack();
    if (this.texts.wasteful()) this.compactTexts();
    return true;
  }

  at(row: number): Note | null {
    return this.versions[row] === 0 ? null : this.note(row);
  }

  /** list is every note, in log order. */
  list(): Note[] {
    const columns = this.columns();
    const out: Note[] = [];
    for (let r = 0; r < this.rows; r++) if (this.versions[r] !== 0) out.push(noteAt(columns, r));
    return out;
  }

  /** frozen is a copy of the rows as they are now, cheap to take: the numbers are copied, the text chunks and author strings shared. */
  frozen(): FrozenNotes {
    const n = this.rows;
    const copy: Columns = {
      seqs: this.seqs.slice(0, n), numbers: this.numbers.slice(0, n), createdAts: this.createdAts.slice(0, n),
      updatedAts: this.updatedAts.slice(0, n), versions: this.versions.slice(0, n), textAts: this.textAts.slice(0, n),
      textLengths: this.textLengths.slice(0, n), texts: this.texts.frozen(), odd: new Map(this.oddTexts), authors: this.authors.slice(0, n),
    };
    const stamps = this.stamps.slice(0, this.parts);
    const at = (r: number): Note | null => copy.versions[r] === 0 ? null : noteAt(copy, r);
    return {
      count: n, at, parts: stamps.length,
      stamp: (part) => stamps[part] ?? 0,
      notesIn: (part) => {
        const notes: Note[] = [];
        const end = (part + 1) * PART_SEQS;
        for (let r = lowerBound(copy.seqs, n, part * PART_SEQS); r < n && copy.seqs[r]! < end; r++) {
          const note = at(r);
          if (note !== null) notes.push(note);
        }
        return notes;
      },
    };
  }

  /** columns are the table's own arrays, as they are now (they are replaced when the table grows or compacts its texts). */
  private columns(): Columns {
    return {
      seqs: this.seqs, numbers: this.numbers, createdAts: this.createdAts, updatedAts: this.updatedAts, versions: this.versions,
      textAts: this.textAts, textLengths: this.textLengths, texts: this.texts, odd: this.oddTexts, authors: this.authors,
    };
  }

  private note(r: number): Note {
    return noteAt(this.columns(), r);
  }

  private write(r: number, note: Note): void {
    this.touch(note.seq);
    this.numbers[r] = note.number;
    this.createdAts[r] = note.createdAt;
    this.updatedAts[r] = note.updatedAt;
    this.versions[r] = note.version;
    this.releaseText(r);
    if (!LONE_SURROGATE.test(note.text)) {
      const place = this.texts.add(note.text);
      this.textAts[r] = place.at;
      this.textLengths[r] = place.length;
    } else {
      this.oddTexts.set(note.seq, note.text);
      this.textLengths[r] = ODD_TEXT;
    }
    this.authors[r] = this.share(note.author);
    if (this.texts.wasteful()) this.compactTexts();
  }

  private releaseText(r: number): void {
    const length = this.textLengths[r]!;
    if (length === ODD_TEXT) this.oddTexts.delete(this.seqs[r]!);
    else this.texts.release(length);
  }

  /** compactTexts moves the live texts to a new arena, leaving the old one to whoever still reads it (a frozen copy). */
  private compactTexts(): void {
    const live: TextPlace[] = [];
    const rows: number[] = [];
    for (let r = 0; r < this.rows; r++) {
      if (this.versions[r] === 0 || this.textLengths[r] === ODD_TEXT) continue;
      live.push({ at: this.textAts[r]!, length: this.textLengths[r]! });
      rows.push(r);
    }
    let i = 0;
    this.texts = this.texts.compacted(live, (place) => {
      const r = rows[i++]!;
      this.textAts[r] = place.at;
      this.textLengths[r] = place.length;
    });
  }

  /** share returns the one string kept for an author's name, so the notes of one author hold one string, not one each. */
  private share(author: string): string {
    const known = this.sharedAuthors.get(author);
    if (known !== undefined) return known;
    if (this.sharedAuthors.size >= MAX_SHARED_AUTHORS) this.sharedAuthors.clear();
    this.sharedAuthors.set(author, author);
    return author;
  }

  /** touch gives the part of note `seq` a new stamp: one of its notes changes. */
  private touch(seq: number): void {
    const part = Math.floor(seq / PART_SEQS);
    if (part >= this.stamps.length) this.stamps = resized(this.stamps, Math.max(part + 1, this.stamps.length * 2));
    this.stamps[part] = ++lastStamp;
    if (part >= this.parts) this.parts = part + 1;
  }

  /** find is the row of the live note `seq`, or -1. */
  private find(seq: number): number {
    const r = lowerBound(this.seqs, this.rows, seq);
    return r < this.rows && this.seqs[r] === seq && this.versions[r] !== 0 ? r : -1;
  }

  private grow(): void {
    const size = this.seqs.length * 2;
    this.seqs = resized(this.seqs, size);
    this.numbers = resized(this.numbers, size);
    this.createdAts = resized(this.createdAts, size);
    this.updatedAts = resized(this.updatedAts, size);
    this.versions = resized(this.versions, size);
    this.textAts = resized(this.textAts, size);
    const lengths = new Uint32Array(size);
    lengths.set(this.textLengths);
    this.textLengths = lengths;
  }

  /** pack drops the tombstones, keeping the rows' order. */
  private pack(): void {
    let w = 0;
    for (let r = 0; r < this.rows; r++) {
      if (this.versions[r] === 0) continue;
      this.seqs[w] = this.seqs[r]!;
      this.numbers[w] = this.numbers[r]!;
      this.createdAts[w] = this.createdAts[r]!;
      this.updatedAts[w] = this.updatedAts[r]!;
      this.versions[w] = this.versions[r]!;
      this.textAts[w] = this.textAts[r]!;
      this.textLengths[w] = this.textLengths[r]!;
      this.authors[w] = this.authors[r]!;
      w++;
    }
    this.rows = w;
    this.dead = 0;
    this.authors.length = w;
  }
}

/** lowerBound is the first of the rows [0, rows) whose seq is `seq` or more (rows when none is). */
function lowerBound(seqs: Float64Array, rows: number, seq: number): number {
  let lo = 0;
  let hi = rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function resized(column: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(column);
  return next;
}

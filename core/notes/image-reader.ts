// ImageReader reads a snapshot's image given in pieces (a compressed
// snapshot's gzip members, decompressed one at a time: a part of notes each),
// so that a big notebook's image is never in memory whole. It holds the
// bytes not yet taken; a piece is joined to them only when what is held ends
// inside what is being read.
//
// NotesDocument.restore takes the image's notes in batches of whole notes.
// A note is a flat object, so the first `}` outside a string ends it; bytes of
// UTF-8 beyond ASCII never equal `"`, `\` or `}`, so bytes are scanned as
// they are, and JSON.parse checks each batch as it would the whole.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

const utf8 = new TextDecoder();

/** NoteBatch is whole notes of an image (`{…},{…}`) and whether a comma after them says more follow. */
export interface NoteBatch {
  json: string;
  more: boolean;
}

/** ImageReader reads an image from its pieces, front to back. */
export class ImageReader {
  private readonly pieces: Iterator<Uint8Array>;
  /** Bytes held; those before `at` are taken. */
  private bytes: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Where `bytes` starts in the image (for the byte offsets of errors). */
  private base = 0;

  constructor(pieces: Iterable<Uint8Array>) {
    this.pieces = pieces[Symbol.iterator]();
  }

  /** offset is the image's byte offset of the next byte to take. */
  get offset(): number {
    return this.base + this.at;
  }

  /** peekText is up to `n` bytes from the next one, as text, without taking them. */
  peekText(n: number): string {
    this.hold(n);
    return utf8.decode(this.bytes.subarray(this.at, this.at + n));
  }

  /** skip takes `n` bytes of those peekText just showed (as ASCII: one byte a character). */
  skip(n: number): void {
    this.at += n;
  }

  /** peekByte is the next byte, or undefined at the end. */
  peekByte(): number | undefined {
    this.hold(1);
    return this.bytes[this.at];
  }

  /** restText takes everything left, as text (joined once, however many pieces are left). */
  restText(): string {
    const rest = [this.bytes.subarray(this.at)];
    for (let next = this.pieces.next(); next.done !== true; next = this.pieces.next()) rest.push(next.value);
    this.base += this.bytes.length;
    this.bytes = new Uint8Array(0);
    this.at = 0;
    return utf8.decode(rest.length === 1 ? rest[0] : joined(rest));
  }

  /**
   * notes takes whole notes from the next byte on (which must start one):
   * about `limit` bytes of them, fewer when the bytes held end inside the next
   * note, and takes the comma after the last when there is one.
   */
  notes(limit: number): NoteBatch {
    let end = this.noteEnd(this.at, true);
    // Nothing is joined from here until the notes are taken, so indexes into `bytes` hold.
    while (this.bytes[end] === COMMA && end - this.at < limit) {
      const next = this.noteEnd(end + 1, false);
      if (next < 0) break;
      end = next;
    }
    const json = utf8.decode(this.bytes.subarray(this.at, end));
    this.at = end;
    const more = this.peekByte() === COMMA;
    if (more) this.at++;
    return { json, more };
  }

  /**
   * noteEnd is the index in `bytes` just after the note that starts at
   * `start`. When the bytes held end inside it, it joins the next pieces
   * (`mayJoin`; an image that ends there throws) or answers -1.
   */
  private noteEnd(start: number, mayJoin: boolean): number {
    for (;;) {
      if (this.bytes[start] === OPEN_BRACE) {
        const end = closingBrace(this.bytes, start);
        if (end >= 0) return end;
      } else if (start < this.bytes.length) {
        throw new RangeError(`snapshot notes are not a list of notes (byte ${this.base + start})`);
      }
      if (!mayJoin) return -1;
      // Joining moves the bytes held: keep `start` relative to `at`.
      const relative = start - this.at;
      const held = this.bytes.length - this.at;
      if (this.hold(held + 1) <= held) {
        throw new RangeError(start < this.bytes.length ? `snapshot ends inside a note (byte ${this.base + start})` : `snapshot ends before its notes do (byte ${this.base + start})`);
      }
      start = this.at + relative;
    }
  }

  /** hold joins pieces until at least `n` bytes are held past `at`, or none are left; it answers how many are held. */
  private hold(n: number): number {
    while (this.bytes.length - this.at < n) {
      const next = this.pieces.next();
      if (next.done === true) break;
      if (this.at === this.bytes.length) {
        this.base += this.bytes.length;
        this.bytes = next.value;
      } else {
        this.base += this.at;
        this.bytes = joined([this.bytes.subarray(this.at), next.value]);
      }
      this.at = 0;
    }
    return this.bytes.length - this.at;
  }
}

/** closingBrace is the index just after the `}` that closes the flat object starting at `start`, or -1 when `bytes` ends first. */
function closingBrace(bytes: Uint8Array, start: number): number {
  let inString = false;
  for (let i = start + 1; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === CLOSE_BRACE) {
      return i + 1;
    }
  }
  return -1;
}

/** joined is the bytes of `parts`, one after another. */
function joined(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.byteLength;
  }
  return all;
}

// TextArena keeps the notes' texts as UTF-8 bytes in large chunks, off the
// JavaScript heap. As strings, 200,000 texts of 100 bytes were 24 MiB of live
// heap, and V8 lets a busy heap grow to a few times what is live before it
// collects (the leader's old space stood at 82-122 MiB for 36 MiB live
// after a full collection):
// every MiB of text kept there cost several of resident memory. Here a text
// costs its bytes; a string is made when a note is asked for.
//
// Chunks are only ever appended to, never written over: a text is written
// once and found by its place (`at`, from `add`). An edited or deleted text
// leaves its bytes behind as garbage; `compacted` copies the live texts into
// new chunks. Old chunks stay valid for whoever still holds them (a frozen
// copy of the notes, being written out to a snapshot).

const CHUNK_BYTES = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** TextPlace is where a text's bytes are: chunk number times CHUNK_BYTES plus offset, and its length. */
export interface TextPlace {
  at: number;
  length: number;
}

/** TextChunks reads texts back from the chunks they were written to. */
export class TextChunks {
  protected readonly chunks: Uint8Array[];

  constructor(chunks: Uint8Array[]) {
    this.chunks = chunks;
  }

  /** text is the string written at (at, length). */
  text(at: number, length: number): string {
    const chunk = this.chunks[Math.floor(at / CHUNK_BYTES)]!;
    const offset = at % CHUNK_BYTES;
    return decoder.decode(chunk.subarray(offset, offset + length));
  }
}

/** TextArena holds texts in append-only chunks. */
export class TextArena extends TextChunks {
  /** Bytes used in the last chunk. */
  private used = CHUNK_BYTES;
  /** Bytes of texts written, and of texts let go since (garbage until compacted). */
  private written = 0;
  private released = 0;

  constructor() {
    super([]);
  }

  /** add writes `text` and returns where it is. */
  add(text: string): TextPlace {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    return this.take(encoder.encodeInto(text, this.room(text.length * 3)).written);
  }

  /** release says that the text of `length` bytes is no longer needed. */
  release(length: number): void {
    this.released += length;
  }

  /** wasteful says whether garbage is more than half of what the chunks hold (and worth a compaction). */
  wasteful(): boolean {
    return this.released > CHUNK_BYTES && this.released * 2 > this.written;
  }

  /** frozen is a reader of the texts written so far, valid whatever is added, released or compacted later. */
  frozen(): TextChunks {
    return new TextChunks(this.chunks.slice());
  }

  /** compacted is a new arena with the live texts, each given to `moved` with its new place, in the order given. */
  compacted(live: Iterable<TextPlace>, moved: (place: TextPlace) => void): TextArena {
    const next = new TextArena();
    for (const { at, length } of live) {
      const place = next.addBytes(this.chunks[Math.floor(at / CHUNK_BYTES)]!.subarray(at % CHUNK_BYTES, at % CHUNK_BYTES + length));
      moved(place);
    }
    return next;
  }

  private addBytes(bytes: Uint8Array): TextPlace {
    this.room(bytes.byteLength).set(bytes);
    return this.take(bytes.byteLength);
  }

  /** room is where the next text goes, with space for at most `most` bytes. */
  private room(most: number): Uint8Array {
    if (this.used + most > CHUNK_BYTES) this.newChunk(most);
    return this.chunks[this.chunks.length - 1]!.subarray(this.used);
  }

  /** take keeps the `written` bytes just written in room() and returns their place. */
  private take(written: number): TextPlace {
    const place = { at: (this.chunks.length - 1) * CHUNK_BYTES + this.used, length: written };
    this.used += written;
    this.written += written;
    return place;
  }

  /** newChunk starts a chunk with room for `bytes` (a text longer than a chunk gets one of its own size; the next text starts another). */
  private newChunk(bytes: number): void {
    // The rest of the last chunk stays unused. A text starts within CHUNK_BYTES of its chunk's start, so its chunk is at / CHUNK_BYTES.
    this.chunks.push(new Uint8Array(Math.max(CHUNK_BYTES, bytes)));
    this.used = 0;
  }
}

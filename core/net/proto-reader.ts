// A strict protobuf reader for frames from the network. Unlike a generated
// decoder it checks every bound: varints longer than 10 bytes or above 2^53-1,
// lengths that run past the end of their message, unknown wire types, and
// strings that are not UTF-8 all throw InvalidFrameError. Unknown fields with a
// valid wire type are skipped, so a later version may add fields.
import { InvalidFrameError } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** WireType is the low three bits of a protobuf field tag (groups are not supported). */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** ProtoReader reads one protobuf message from `buf[pos, end)`. */
export class ProtoReader {
  readonly buf: Uint8Array;
  // Invariant: pos <= end <= buf.length.
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** done tells whether the message has no more fields. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /** tag reads a field tag and returns its field number and wire type. */
  tag(): { field: number; wire: number } {
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field < 1 || field > 536_870_911) throw new InvalidFrameError(`invalid field number ${field}`);
    return { field, wire };
  }

  /** varint reads an unsigned varint as a safe integer. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new InvalidFrameError('message ends inside a varint');
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new InvalidFrameError('integer is larger than 2^53-1');
        return value;
      }
      scale *= 128;
    }
    throw new InvalidFrameError('varint is longer than 10 bytes');
  }

  /** bool reads a varint that must be 0 or 1. */
  bool(): boolean {
    const v = this.varint();
    if (v > 1) throw new InvalidFrameError(`boolean field holds ${v}`);
    return v === 1;
  }

  /** bytes reads a length-delimited field; the result is a copy. */
  bytes(max: number, what: string): Uint8Array {
    const len = this.varint();
    if (len > max) throw new InvalidFrameError(`${what} is ${len} bytes, more than ${max}`);
    if (len > this.end - this.pos) throw new InvalidFrameError(`${what} runs past the end of its message`);
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** string reads a UTF-8 string of at most `maxChars` characters. */
  string(maxChars: number, what: string): string {
    const raw = this.bytes(maxChars * 4, what);
    let s: string;
    try {
      s = utf8.decode(raw);
    } catch {
      throw new InvalidFrameError(`${what} is not valid UTF-8`);
    }
    if (s.length > maxChars) throw new InvalidFrameError(`${what} is longer than ${maxChars} characters`);
    return s;
  }

  /** message returns a reader for an embedded message and moves past it. */
  message(what: string): ProtoReader {
    const len = this.varint();
    if (len > this.end - this.pos) throw new InvalidFrameError(`${what} runs past the end of its message`);
    const sub = new ProtoReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  /** expect throws unless `wire` is the wire type the field must have. */
  expect(wire: number, expected: number, what: string): void {
    if (wire !== expected) throw new InvalidFrameError(`${what} has wire type ${wire}, expected ${expected}`);
  }

  /** skip moves past a field of an unknown number. */
  skip(wire: number): void {
    switch (wire) {
      case WireType.VARINT: this.varint(); return;
      case WireType.I64: this.advance(8); return;
      case WireType.LEN: this.advance(this.varint()); return;
      case WireType.I32: this.advance(4); return;
      default: throw new InvalidFrameError(`unsupported wire type ${wire}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new InvalidFrameError('field runs past the end of its message');
    this.pos += n;
  }
}

/** Fields collects which fields of a message were seen, to reject duplicates and missing ones. */
export class Fields {
  private readonly seen = new Set<number>();
  private readonly what: string;

  constructor(what: string) {
    this.what = what;
  }

  /** once records field `n` and throws if it appeared before. */
  once(n: number): void {
    if (this.seen.has(n)) throw new InvalidFrameError(`${this.what} has field ${n} twice`);
    this.seen.add(n);
  }

  /** require throws unless every field in `ns` was seen. */
  require(...ns: number[]): void {
    for (const n of ns) {
      if (!this.seen.has(n)) throw new InvalidFrameError(`${this.what} lacks field ${n}`);
    }
  }
}

// WireReader: the protons-runtime Reader that core/net's generated decoders
// (pb/*.ts) read the network's bytes from. A generated decoder trusts its
// input: it reads varints of any length, lets an embedded message run past the
// end of its parent, decodes any bytes as UTF-8, keeps the last of two values,
// and reads a field whatever the wire type of its tag. WireReader follows the
// schema (a WireSchema) as the decoder reads, and throws InvalidFrameError at
// the first byte that breaks one of its rules:
// - a known field's tag has the wire type of the field's type; wire types 3, 4
//   (groups), 6 and 7 are refused; unknown fields are skipped;
// - a field that is not repeated appears at most once, and so does a oneof;
// - varints are at most 10 bytes and at most 2^53-1; booleans are 0 or 1; an
//   enum holds one of its declared values;
// - a length stays within its message; strings are valid UTF-8.
// At its first bytes field the reader copies the message, and bytes fields are
// views of that copy: a decoded message keeps its own bytes alive (at most one
// frame, 1 MiB of entries by default), never the stream's buffer. One copy per
// message rather than one per field, as an AppendEntries carries many small
// entries and a copy each costs throughput (measured in bench/results/codec.md).
// Whether required fields are present is checked after decoding
// (WireSchema.require), as only the caller knows which ones are.
//
// It relies on how protons' decoders read, which the codec tests exercise: a
// tag with uint32(), then the field's value with the method of its type (an
// embedded message as uint32() for its length, then its own fields), or
// skipType() for an unknown field.
import type { Reader } from 'protons-runtime';
import { InvalidFrameError } from './errors.ts';
import type { FieldRule, MessageRule, ReaderMethod } from './wire-schema.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_FIELD_NUMBER = 536_870_911;
const UNKNOWN: FieldRule = {
  where: 'unknown field', id: 0, wire: -1, read: 'uint32', bit: 0, oneof: undefined, embedded: undefined, values: undefined,
};

/** WireReader reads one message of a WireSchema from `buf`, for a generated decoder, holding it to the schema's rules. */
export class WireReader implements Reader {
  buf: Uint8Array;
  pos = 0;
  len: number;
  // A copy of buf made at the first bytes field, which bytes fields are views of; null until then.
  private copy: Uint8Array<ArrayBuffer> | null = null;
  // The messages being read, outermost first: their rules, where they end and
  // the bits of the fields seen in them. Invariant: ends[0] === len, and an
  // embedded message ends no later than its parent.
  private readonly rules: MessageRule[];
  private readonly ends: number[];
  private readonly seen: number[];
  private depth = 0;
  // The field whose tag was just read and whose value the decoder reads next (UNKNOWN if it skips it); null between fields.
  private field: FieldRule | null = null;

  constructor(buf: Uint8Array, message: MessageRule) {
    this.buf = buf;
    this.len = buf.length;
    this.rules = [message];
    this.ends = [buf.length];
    this.seen = [0];
  }

  /** uint32 reads a field's tag, or, right after the tag of an embedded message, that message's length. */
  uint32(): number {
    const f = this.field;
    if (f === null) return this.tag();
    this.take('uint32');
    const len = this.length(f);
    const depth = ++this.depth;
    this.rules[depth] = f.embedded!;
    this.ends[depth] = this.pos + len;
    this.seen[depth] = 0;
    return len;
  }

  private tag(): number {
    while (this.depth > 0 && this.ends[this.depth]! <= this.pos) this.depth--;
    const tag = this.varint();
    const id = Math.floor(tag / 8);
    const wire = tag % 8;
    const message = this.rules[this.depth]!;
    if (id < 1 || id > MAX_FIELD_NUMBER) throw new InvalidFrameError(`${message.name} has a field numbered ${id}`);
    if (wire === 3 || wire === 4 || wire > 5) throw new InvalidFrameError(`${message.name} has a field of unsupported wire type ${wire}`);
    const f = message.fields[id];
    if (f === undefined) {
      this.field = UNKNOWN;
      return tag;
    }
    if (wire !== f.wire) throw new InvalidFrameError(`${f.where} has wire type ${wire}, expected ${f.wire}`);
    if (f.bit !== 0) {
      const seen = this.seen[this.depth]!;
      if ((seen & f.bit) !== 0) {
        throw new InvalidFrameError(f.oneof === undefined ? `${message.name} has field ${id} twice` : `${message.name} has more than one ${f.oneof}`);
      }
      this.seen[this.depth] = seen | f.bit;
    }
    this.field = f;
    return tag;
  }

  /** take ends the current field, which the decoder reads with `method`. */
  private take(method: ReaderMethod): FieldRule {
    const f = this.field;
    // A decoder that reads otherwise than its schema says is a generator bug, not bad input.
    if (f === null || f.read !== method || f === UNKNOWN) {
      throw new Error(`WireReader: the decoder read ${method} for ${f === null ? 'no field' : f.where}`);
    }
    this.field = null;
    return f;
  }

  /** varint reads an unsigned varint of at most 10 bytes that is a safe integer. */
  private varint(): number {
    const end = this.ends[this.depth]!;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new InvalidFrameError('message ends inside a varint');
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) throw new InvalidFrameError('integer is larger than 2^53-1');
        return value;
      }
      scale *= 128;
    }
    throw new InvalidFrameError('varint is longer than 10 bytes');
  }

  /** length reads the length of a LEN field and checks that it stays within its message. */
  private length(f: FieldRule): number {
    const len = this.varint();
    if (len > this.ends[this.depth]! - this.pos) throw new InvalidFrameError(`${f.where} runs past the end of its message`);
    return len;
  }

  /** bool reads a boolean, which must be 0 or 1. */
  bool(): boolean {
    const f = this.take('bool');
    const v = this.varint();
    if (v > 1) throw new InvalidFrameError(`${f.where}: boolean field holds ${v}`);
    return v === 1;
  }

  /** uint64Number reads a uint64 field as a number. */
  uint64Number(): number {
    this.take('uint64Number');
    return this.varint();
  }

  /** int32 reads an enum value, which must be one its enum declares. */
  int32(): number {
    const f = this.take('int32');
    const v = this.varint();
    if (!f.values!.has(v)) throw new InvalidFrameError(`${f.where} holds ${v}, an unknown ${f.where.slice(f.where.indexOf('.') + 1)}`);
    return v;
  }

  /** bytes reads a bytes field: a view of the reader's copy of the message (a plain Uint8Array, even from a Node Buffer). */
  bytes(): Uint8Array<ArrayBuffer> {
    const f = this.take('bytes');
    const len = this.length(f);
    this.copy ??= new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).slice();
    const out = this.copy.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** string reads a string field, which must be valid UTF-8. */
  string(): string {
    const f = this.take('string');
    const len = this.length(f);
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(this.pos, this.pos + len));
    } catch {
      throw new InvalidFrameError(`${f.where} is not valid UTF-8`);
    }
    this.pos += len;
    return s;
  }

  /** skipType moves past the value of an unknown field. */
  skipType(wireType: number): void {
    if (this.field !== UNKNOWN) throw new Error(`WireReader: the decoder skipped ${this.field?.where ?? 'no field'}`);
    this.field = null;
    switch (wireType) {
      case 0: this.varint(); return;
      case 1: this.skip(8); return;
      case 2: this.skip(this.length(UNKNOWN)); return;
      case 5: this.skip(4); return;
      default: throw new InvalidFrameError(`unsupported wire type ${wireType}`);
    }
  }

  /** skip moves past `length` bytes of the current message. */
  skip(length = 0): void {
    if (length > this.ends[this.depth]! - this.pos) throw new InvalidFrameError('field runs past the end of its message');
    this.pos += length;
  }

  // WireSchema refuses schemas with fields of these types, so no decoder of core/net reads them.
  sint32(): number { return this.unsupported('sint32'); }
  fixed32(): number { return this.unsupported('fixed32'); }
  sfixed32(): number { return this.unsupported('sfixed32'); }
  float(): number { return this.unsupported('float'); }
  double(): number { return this.unsupported('double'); }
  int64(): bigint { return this.unsupported('int64'); }
  int64Number(): number { return this.unsupported('int64'); }
  int64String(): string { return this.unsupported('int64'); }
  uint64(): bigint { return this.unsupported('uint64 as a bigint'); }
  uint64String(): string { return this.unsupported('uint64 as a string'); }
  sint64(): bigint { return this.unsupported('sint64'); }
  sint64Number(): number { return this.unsupported('sint64'); }
  sint64String(): string { return this.unsupported('sint64'); }
  fixed64(): bigint { return this.unsupported('fixed64'); }
  fixed64Number(): number { return this.unsupported('fixed64'); }
  fixed64String(): string { return this.unsupported('fixed64'); }
  sfixed64(): bigint { return this.unsupported('sfixed64'); }
  sfixed64Number(): number { return this.unsupported('sfixed64'); }
  sfixed64String(): string { return this.unsupported('sfixed64'); }

  private unsupported(type: string): never {
    throw new Error(`WireReader: no schema of core/net has ${type} fields`);
  }
}

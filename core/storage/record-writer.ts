// RecordWriter and the encoders of the records in ./wal-format.ts.

import type { Entry, HardState, Membership } from '../raft/types.ts';
import { crc32c } from './crc32c.ts';
import type { StorageBatch } from './storage.ts';
import {
  FORMAT_VERSION,
  HEADER_BYTES,
  KIND_CODE,
  RecordType,
  SEGMENT_MAGIC,
  type SegmentHeader,
  type SnapshotRef,
  writeU64,
} from './wal-format.ts';

/** RecordWriter lays records out in one buffer whose size the caller computed with the *Size functions. */
export class RecordWriter {
  readonly buf: Buffer;
  /** pos is where the next record starts. */
  pos = 0;
  /** count is the number of records written so far. */
  count = 0;

  constructor(bytes: number) {
    this.buf = Buffer.allocUnsafe(bytes);
  }

  entry(e: Entry): void {
    const p = this.open(17 + e.data.length);
    writeU64(this.buf, p, e.index);
    writeU64(this.buf, p + 8, e.term);
    this.buf[p + 16] = KIND_CODE[e.kind];
    this.buf.set(e.data, p + 17);
    this.close(RecordType.entry, 17 + e.data.length);
  }

  hardState(hs: HardState): void {
    const len = hardStateSize(hs);
    const p = this.open(len);
    writeHardState(this.buf, p, hs);
    this.close(RecordType.hardState, len);
  }

  snapshot(ref: SnapshotRef): void {
    const p = this.open(28);
    writeSnapshotRef(this.buf, p, ref);
    this.close(RecordType.snapshot, 28);
  }

  commit(records: number): void {
    const p = this.open(4);
    this.buf.writeUInt32LE(records, p);
    this.close(RecordType.commit, 4);
  }

  seal(nextSeq: number): void {
    const p = this.open(8);
    writeU64(this.buf, p, nextSeq);
    this.close(RecordType.seal, 8);
  }

  segment(h: SegmentHeader): void {
    const len = segmentSize(h);
    const p = this.open(len);
    SEGMENT_MAGIC.copy(this.buf, p);
    this.buf.writeUInt32LE(h.version, p + 8);
    this.buf.writeUInt32LE(0, p + 12);
    writeU64(this.buf, p + 16, h.seq);
    writeU64(this.buf, p + 24, h.prevLastIndex);
    let q = p + 32 + writeHardState(this.buf, p + 32, h.hardState);
    this.buf[q++] = h.snapshot === null ? 0 : 1;
    if (h.snapshot !== null) writeSnapshotRef(this.buf, q, h.snapshot);
    this.close(RecordType.segment, len);
  }

  private open(payloadBytes: number): number {
    if (this.pos + HEADER_BYTES + payloadBytes > this.buf.length) throw new RangeError('RecordWriter: buffer too small');
    return this.pos + HEADER_BYTES;
  }

  /** close writes the header of the record whose payload was just written. */
  private close(type: number, payloadBytes: number): void {
    const b = this.buf;
    const h = this.pos;
    b.writeUInt32LE(payloadBytes, h);
    b.writeUInt32LE(type, h + 4); // type and three zero bytes
    b.writeUInt32LE(crc32c(b, h + HEADER_BYTES, h + HEADER_BYTES + payloadBytes), h + 8);
    b.writeUInt32LE(crc32c(b, h, h + 12), h + 12);
    this.pos = h + HEADER_BYTES + payloadBytes;
    this.count++;
  }
}

/** Record sizes, header included. */
export const entrySize = (e: Entry): number => HEADER_BYTES + 17 + e.data.length;
export const hardStateRecordSize = (hs: HardState): number => HEADER_BYTES + hardStateSize(hs);
export const SNAPSHOT_RECORD_BYTES = HEADER_BYTES + 28;
export const COMMIT_RECORD_BYTES = HEADER_BYTES + 4;
export const SEAL_RECORD_BYTES = HEADER_BYTES + 8;
export const segmentRecordSize = (h: SegmentHeader): number => HEADER_BYTES + segmentSize(h);

function hardStateSize(hs: HardState): number {
  return 18 + (hs.votedFor === null ? 0 : Buffer.byteLength(hs.votedFor, 'utf8'));
}

function segmentSize(h: SegmentHeader): number {
  return 32 + hardStateSize(h.hardState) + 1 + (h.snapshot === null ? 0 : 28);
}

function writeHardState(b: Buffer, p: number, hs: HardState): number {
  writeU64(b, p, hs.term);
  writeU64(b, p + 8, hs.commitIndex);
  if (hs.votedFor === null) {
    b.writeUInt16LE(0xffff, p + 16);
    return 18;
  }
  const n = b.write(hs.votedFor, p + 18, 'utf8');
  if (n >= 0xffff) throw new RangeError('votedFor is too long');
  b.writeUInt16LE(n, p + 16);
  return 18 + n;
}

function writeSnapshotRef(b: Buffer, p: number, ref: SnapshotRef): void {
  writeU64(b, p, ref.index);
  writeU64(b, p + 8, ref.term);
  b.writeUInt32LE(ref.crc, p + 16);
  writeU64(b, p + 20, ref.length);
}

/** encodeSnapshotFile returns the one record of a snapshot file, as a header and the parts of its payload. */
export function encodeSnapshotFile(s: { index: number; term: number; membership: Membership; data: Uint8Array }): {
  parts: Uint8Array[];
  ref: SnapshotRef;
} {
  const json = Buffer.from(JSON.stringify({ voters: s.membership.voters, learners: s.membership.learners }), 'utf8');
  const fixed = Buffer.alloc(24);
  fixed.writeUInt32LE(FORMAT_VERSION, 0);
  writeU64(fixed, 4, s.index);
  writeU64(fixed, 12, s.term);
  fixed.writeUInt32LE(json.length, 20);
  const length = fixed.length + json.length + s.data.length;
  let crc = crc32c(fixed);
  crc = crc32c(json, 0, json.length, crc);
  crc = crc32c(s.data, 0, s.data.length, crc);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(RecordType.snapshotFile, 4);
  header.writeUInt32LE(crc, 8);
  header.writeUInt32LE(crc32c(header, 0, 12), 12);
  return { parts: [header, fixed, json, s.data], ref: { index: s.index, term: s.term, crc, length } };
}

/** encodeBatch lays out the records of one save: snapshot marker, entries, hard state, commit. */
export function encodeBatch(batch: StorageBatch, ref: SnapshotRef | null): Buffer {
  let bytes = COMMIT_RECORD_BYTES;
  if (ref !== null) bytes += SNAPSHOT_RECORD_BYTES;
  for (const e of batch.entries) bytes += entrySize(e);
  if (batch.hardState !== null) bytes += hardStateRecordSize(batch.hardState);
  const w = new RecordWriter(bytes);
  if (ref !== null) w.snapshot(ref);
  for (const e of batch.entries) w.entry(e);
  if (batch.hardState !== null) w.hardState(batch.hardState);
  w.commit(w.count);
  return w.buf;
}

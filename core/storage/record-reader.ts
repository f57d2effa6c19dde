// checkRecord and the decoders of the records in ./wal-format.ts.

import type { Entry, HardState, Membership } from '../raft/types.ts';
import { crc32c } from './crc32c.ts';
import {
  FORMAT_VERSION,
  HEADER_BYTES,
  KINDS,
  readU32,
  readU64,
  SEGMENT_MAGIC,
  type SegmentHeader,
  type SnapshotRef,
} from './wal-format.ts';

/** RecordProblem is why the bytes at an offset are not an intact record. */
export type RecordProblem = 'zero' | 'past-end' | 'header-checksum' | 'payload-checksum';

/** RecordCheck is the outcome of checkRecord; one object is reused across a scan so reading allocates nothing per record. */
export interface RecordCheck {
  /** null when the record is intact. */
  problem: RecordProblem | null;
  type: number;
  /** Offset of the payload. */
  payload: number;
  length: number;
  /**
   * Where the record ends: the next record's offset when intact; when damaged,
   * as far as it can be trusted (the end of the payload when its header is
   * intact, else the end of the header).
   */
  end: number;
}

/** checkRecord checks the record at `off` of `buf` and fills `r` with what it found. */
export function checkRecord(
  buf: Uint8Array,
  off: number,
  r: RecordCheck = { problem: null, type: 0, payload: 0, length: 0, end: 0 },
): RecordCheck {
  const size = buf.length;
  r.type = 0;
  r.payload = off + HEADER_BYTES;
  r.length = 0;
  if (off + HEADER_BYTES > size) {
    r.problem = isZero(buf, off, size) ? 'zero' : 'past-end';
    r.end = size;
    return r;
  }
  const length = readU32(buf, off);
  const headerCrc = readU32(buf, off + 12);
  r.end = off + HEADER_BYTES;
  if (length === 0 && headerCrc === 0 && isZero(buf, off, off + HEADER_BYTES)) {
    r.problem = 'zero';
  } else if (crc32c(buf, off, off + 12) !== headerCrc) {
    r.problem = 'header-checksum';
  } else {
    r.length = length;
    r.end = off + HEADER_BYTES + length;
    if (r.end > size) r.problem = 'past-end';
    else if (crc32c(buf, r.payload, r.end) !== readU32(buf, off + 8)) r.problem = 'payload-checksum';
    else {
      r.problem = null;
      r.type = buf[off + 4];
    }
  }
  return r;
}

const ZEROS = new Uint8Array(65536);

/** isZero tells whether `buf[start, end)` holds only zero bytes. */
export function isZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += ZEROS.length) {
    const n = Math.min(ZEROS.length, end - i);
    if (Buffer.compare(buf.subarray(i, i + n), ZEROS.subarray(0, n)) !== 0) return false;
  }
  return true;
}

/** dataEnd returns the offset after the last non-zero byte of `buf[0, end)`. */
export function dataEnd(buf: Uint8Array, end = buf.length): number {
  let i = end;
  while (i > 0) {
    const n = Math.min(ZEROS.length, i);
    if (!isZero(buf, i - n, i)) break;
    i -= n;
  }
  while (i > 0 && buf[i - 1] === 0) i--;
  return i;
}

/**
 * decodeEntry reads an entry payload of `buf`, whose ArrayBuffer and offset the
 * caller passes in (reading them per entry is a measurable part of a reopen);
 * the entry's data is a view into `buf`.
 */
export function decodeEntry(buf: Uint8Array, ab: ArrayBufferLike, byteOffset: number, p: number, length: number): Entry | null {
  const kind = KINDS[buf[p + 16]];
  if (length < 17 || kind === undefined) return null;
  return { index: readU64(buf, p), term: readU64(buf, p + 8), kind, data: new Uint8Array(ab, byteOffset + p + 17, length - 17) };
}

/** decodeHardState reads a hard state payload and returns it with its size, or null when malformed. */
export function decodeHardState(buf: Uint8Array, p: number, length: number): { value: HardState; size: number } | null {
  if (length < 18) return null;
  const term = readU64(buf, p);
  const commitIndex = readU64(buf, p + 8);
  const n = buf[p + 16] | (buf[p + 17] << 8);
  if (n === 0xffff) return { value: { term, votedFor: null, commitIndex }, size: 18 };
  if (18 + n > length) return null;
  const votedFor = Buffer.from(buf.buffer, buf.byteOffset + p + 18, n).toString('utf8');
  return { value: { term, votedFor, commitIndex }, size: 18 + n };
}

/** decodeSnapshotRef reads a snapshot marker payload, or null when malformed. */
export function decodeSnapshotRef(buf: Uint8Array, p: number, length: number): SnapshotRef | null {
  if (length < 28) return null;
  return { index: readU64(buf, p), term: readU64(buf, p + 8), crc: readU32(buf, p + 16), length: readU64(buf, p + 20) };
}

/** segmentVersion returns the format version of a segment payload, or null when it is not one. */
export function segmentVersion(buf: Uint8Array, p: number, length: number): number | null {
  if (length < 32 || Buffer.compare(buf.subarray(p, p + 8), SEGMENT_MAGIC) !== 0) return null;
  return readU32(buf, p + 8);
}

/** decodeSegmentHeader reads a segment payload, or null when malformed. */
export function decodeSegmentHeader(buf: Uint8Array, p: number, length: number): SegmentHeader | null {
  if (segmentVersion(buf, p, length) !== FORMAT_VERSION) return null;
  const version = FORMAT_VERSION;
  const hs = decodeHardState(buf, p + 32, length - 32);
  if (hs === null) return null;
  const q = p + 32 + hs.size;
  const has = buf[q];
  const snapshot = has === 1 ? decodeSnapshotRef(buf, q + 1, p + length - q - 1) : null;
  if ((has !== 0 && has !== 1) || (has === 1 && snapshot === null)) return null;
  return { version, seq: readU64(buf, p + 16), prevLastIndex: readU64(buf, p + 24), hardState: hs.value, snapshot };
}

/** decodeSnapshotFile reads the payload of a snapshot file record, or null when malformed. */
export function decodeSnapshotFile(
  buf: Uint8Array,
  p: number,
  length: number,
): { version: number; index: number; term: number; membership: Membership; data: Uint8Array } | null {
  if (length < 24) return null;
  const version = readU32(buf, p);
  const jsonLength = readU32(buf, p + 20);
  if (24 + jsonLength > length) return null;
  let membership: Membership;
  try {
    const m = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + p + 24, jsonLength).toString('utf8')) as Membership;
    membership = { voters: m.voters.map(String), learners: m.learners.map(String) };
  } catch {
    return null;
  }
  const start = p + 24 + jsonLength;
  return {
    version,
    index: readU64(buf, p + 4),
    term: readU64(buf, p + 12),
    membership,
    data: new Uint8Array(buf.buffer, buf.byteOffset + start, p + length - start),
  };
}

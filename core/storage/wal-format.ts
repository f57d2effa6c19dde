// The on-disk format of DiskStorage, version 1. All integers little-endian;
// u64 values are below 2^53. CRC is CRC-32C (./crc32c.ts). Written by
// ./record-writer.ts, read by ./record-reader.ts, ./segment-scan.ts and
// ./wal-recovery.ts.
//
// Directory (DiskStorage.open(dir) owns it; nothing else lives there):
//   VERSION                          "raftnotes-storage 1\n"; says a log exists here
//   LOCK                             pid of the process that has the storage open
//   wal-<seq>.log                    log segments, seq = 16 hex digits from 1, no gaps
//   snap-<index>-<term>.snap         the newest snapshot (16 hex digits each)
//   prealloc.ready                   the next segment, zero-filled in advance
//   *.tmp                            files being written; removed on open
//
// Record (the unit of every file), at any byte offset:
//   0  u32 payload length
//   4  u8  type                      1 segment, 2 hard state, 3 entry, 4 snapshot marker,
//                                    5 commit, 6 seal, 7 snapshot file
//   5  u8[3] zero
//   8  u32 CRC of the payload
//   12 u32 CRC of bytes 0..12        (so a damaged length is never trusted)
//   16 payload
//
// Segment: records from offset 0, then zeros to the end of the file (segments
// are preallocated with zeros so an fdatasync never has to write metadata).
// Nothing is written past a segment's end, and a segment not sealed keeps at
// least a seal record's size of zeros after its data: a segment shorter than
// that was cut short after it was written, and recovery refuses it.
// An all-zero header ends the segment's data. The first record is a segment
// record; then batches; a segment that was continued in a newer one ends with a
// seal record. A batch is the records of one save(), in order: an optional
// snapshot marker, the entries, an optional hard state, then a commit record
// counting them. On recovery a batch takes effect only if its commit record is
// intact, so a crash leaves each save all there or not at all.
//
// Payloads:
//   segment (1)     u8[8] "RAFTNWAL", u32 format version (1), u32 zero, u64 seq,
//                   u64 last index of the log when the segment began, then the
//                   state when it began: a hard state payload, u8 has-snapshot,
//                   and if 1 a snapshot marker payload. Replay may start at the
//                   oldest segment left after compaction, from this state.
//   hard state (2)  u64 term, u64 commit index, u16 byte length of votedFor
//                   (0xFFFF = null), votedFor as UTF-8
//   entry (3)       u64 index, u64 term, u8 kind (0 command, 1 config, 2 noop), data
//   snapshot (4)    u64 index, u64 term, u32 CRC and u64 length of the payload of
//                   the file snap-<index>-<term>.snap: the snapshot now in force
//   commit (5)      u32 number of records in the batch before this one
//   seal (6)        u64 seq of the segment that continues the log
//   snapshot file (7), the only record of a .snap file: u32 format version (1),
//                   u64 index, u64 term, u32 byte length of the membership as
//                   JSON ({"voters":[..],"learners":[..]}), that JSON, then data

import type { Entry, HardState } from '../raft/types.ts';

/** FORMAT_VERSION is the version of the files this module reads and writes. */
export const FORMAT_VERSION = 1;
/** HEADER_BYTES is the size of a record header. */
export const HEADER_BYTES = 16;
/** SEGMENT_MAGIC opens every segment record's payload. */
export const SEGMENT_MAGIC = Buffer.from('RAFTNWAL', 'latin1');

/** RecordType numbers the kinds of record. */
export const RecordType = {
  segment: 1,
  hardState: 2,
  entry: 3,
  snapshot: 4,
  commit: 5,
  seal: 6,
  snapshotFile: 7,
} as const;

/** SnapshotRef is the snapshot marker: which snapshot file is in force and the checksum it must match. */
export interface SnapshotRef {
  index: number;
  term: number;
  crc: number;
  length: number;
}

/** SegmentHeader is the payload of a segment record. */
export interface SegmentHeader {
  version: number;
  seq: number;
  prevLastIndex: number;
  hardState: HardState;
  snapshot: SnapshotRef | null;
}

/** KINDS maps an entry record's kind byte to the entry kind. */
export const KINDS: Entry['kind'][] = ['command', 'config', 'noop'];
/** KIND_CODE maps an entry kind to its byte. */
export const KIND_CODE: Record<Entry['kind'], number> = { command: 0, config: 1, noop: 2 };

/** readU32 reads a little-endian u32. */
export function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** writeU64 writes a little-endian u64 below 2^53. */
export function writeU64(b: Buffer, p: number, v: number): void {
  b.writeUInt32LE(v >>> 0, p);
  b.writeUInt32LE(Math.floor(v / 0x100000000), p + 4);
}

/** readU64 reads a little-endian u64 below 2^53. */
export function readU64(b: Uint8Array, p: number): number {
  const lo = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  const hi = b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24);
  return (hi >>> 0) * 0x100000000 + (lo >>> 0);
}

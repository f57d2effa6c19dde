// recoverDir reads a DiskStorage directory back into a LogState on open: it
// replays the segments in order, cuts a torn last batch off (with a warning),
// and refuses damage, missing segments and a snapshot that does not match with
// a StorageCorruptError. Format: ./wal-format.ts.

import fs from 'node:fs';
import path from 'node:path';
import type { Entry, Snapshot } from '../raft/types.ts';
import { readFailure, recoveryAdvice, StorageCorruptError } from './errors.ts';
import { LogState, type LogBatch } from './log-state.ts';
import { scanSegment } from './segment-scan.ts';
import { SEAL_RECORD_BYTES } from './record-writer.ts';
import { listDir, segmentName, snapshotName, writeFully } from './storage-dir.ts';
import {
  checkRecord,
  decodeEntry,
  decodeHardState,
  decodeSegmentHeader,
  decodeSnapshotFile,
  decodeSnapshotRef,
  segmentVersion,
} from './record-reader.ts';
import { FORMAT_VERSION, readU32, readU64, RecordType, type SegmentHeader, type SnapshotRef } from './wal-format.ts';

/** SegmentInfo is what the writer needs to know of a segment it keeps. */
export interface SegmentInfo {
  seq: number;
  /** The log's last index when the segment began; every live entry of older segments is at or below it. */
  prevLastIndex: number;
}

/** Recovered is a directory's durable state and where writing resumes. */
export interface Recovered {
  state: LogState<SnapshotRef>;
  snapshot: Snapshot | null;
  segments: SegmentInfo[];
  /** Offset in the last segment where the next record goes. */
  writePos: number;
}

/** recoverDir returns the state of the log in `dir`, or null when the directory holds none. */
export function recoverDir(dir: string, warn: (message: string) => void): Recovered | null {
  const listing = listDir(dir);
  const advice = recoveryAdvice(dir);
  const corrupt = (file: string, offset: number, problem: string): StorageCorruptError =>
    new StorageCorruptError(path.join(dir, file), offset, problem, advice);

  for (const name of listing.temporary) fs.rmSync(path.join(dir, name), { force: true, recursive: true });
  const segments = listing.segments;
  if (segments.length === 0) {
    if (!listing.hasVersion && listing.snapshots.length === 0) return null;
    throw corrupt(segmentName(1), 0, 'no log segment (wal-*.log) is left, although this directory held a log');
  }
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].seq !== segments[i - 1].seq + 1) {
      throw corrupt(segmentName(segments[i - 1].seq + 1), 0, `this segment is missing (the log goes on in ${segments[i].name})`);
    }
  }

  const state = new LogState<SnapshotRef>();
  const infos: SegmentInfo[] = [];
  let writePos = 0;
  for (let i = 0; i < segments.length; i++) {
    const { seq, name } = segments[i];
    const last = i === segments.length - 1;
    const file = path.join(dir, name);
    const buf = readFile(dir, file);
    const replay = new SegmentReplay(state, buf, name, seq, i === 0, corrupt);
    const tail = scanSegment(buf, replay.visit);
    if (tail.kind === 'corrupt') throw corrupt(name, tail.end, tail.problem);
    if (replay.header === null) throw corrupt(name, 0, 'the segment does not start with a segment record');
    infos.push({ seq, prevLastIndex: replay.header.prevLastIndex });
    if (last && replay.sealedBy === null && tail.kind === 'clean' && buf.length - tail.end < SEAL_RECORD_BYTES) {
      // The writer always keeps room for the seal record after the data of the segment it writes.
      throw corrupt(name, buf.length, 'the file ends right after its data, without the room a segment always keeps: it was cut short (truncated) after it was written, and what followed is lost');
    }
    if (replay.sealedBy !== null && last) {
      throw corrupt(segmentName(replay.sealedBy), 0, `this segment is missing (${name} says the log goes on in it)`);
    }
    const torn = tail.kind === 'torn' || replay.pending > 0;
    if (torn && !last && replay.pending > 0) {
      throw corrupt(name, replay.goodEnd, 'a batch without its commit record, in a segment that is not the newest');
    }
    if (torn) {
      const why = tail.kind === 'torn' ? `${tail.problem} at offset ${tail.end}` : `its commit record is missing`;
      warn(
        `${file}: a write was cut short by a crash (${why}); the unfinished batch from offset ${replay.goodEnd} ` +
          'was never acknowledged and is dropped',
      );
      if (last) zeroFrom(file, replay.goodEnd, tail.kind === 'torn' ? tail.dataEnd : tail.end);
    }
    if (last) writePos = replay.goodEnd;
    compactBuffer(state.entries, buf, replay.goodEnd);
  }

  const lastName = segments[segments.length - 1].name;
  if (state.missingUpTo > 0) {
    throw corrupt(
      segmentName(segments[0].seq - 1),
      0,
      `this segment is missing: entries ${state.snapshotIndex + 1} to ${state.missingUpTo} are in no segment left`,
    );
  }
  if (state.hardState.commitIndex > state.lastIndex) {
    throw corrupt(
      lastName,
      writePos,
      `the log ends at index ${state.lastIndex} but entries up to ${state.hardState.commitIndex} were committed: ` +
        'the newest segment may be missing',
    );
  }
  const snapshot = state.snapshot === null ? null : readSnapshot(dir, state.snapshot, corrupt);
  const keep = state.snapshot === null ? '' : snapshotName(state.snapshot.index, state.snapshot.term);
  for (const name of listing.snapshots) if (name !== keep) fs.rmSync(path.join(dir, name), { force: true });
  return { state, snapshot, segments: infos, writePos };
}

type Corrupt = (file: string, offset: number, problem: string) => StorageCorruptError;

/** SegmentReplay applies the records of one segment to the state, batch by batch. */
class SegmentReplay {
  header: SegmentHeader | null = null;
  /** The batch being read, waiting for its commit record; `pending` counts its records. */
  pending = 0;
  private batch: LogBatch<SnapshotRef> = { hardState: null, snapshot: null, entries: [] };
  /** Offset after the last complete batch (or segment or seal record). */
  goodEnd = 0;
  sealedBy: number | null = null;
  private readonly state: LogState<SnapshotRef>;
  private readonly buf: Uint8Array;
  private readonly arrayBuffer: ArrayBufferLike;
  private readonly byteOffset: number;
  private readonly name: string;
  private readonly seq: number;
  private readonly first: boolean;
  private readonly corrupt: Corrupt;

  constructor(state: LogState<SnapshotRef>, buf: Uint8Array, name: string, seq: number, first: boolean, corrupt: Corrupt) {
    this.state = state;
    this.buf = buf;
    this.arrayBuffer = buf.buffer;
    this.byteOffset = buf.byteOffset;
    this.name = name;
    this.seq = seq;
    this.first = first;
    this.corrupt = corrupt;
  }

  /** Offset of the record being visited, for error messages. */
  private offset = 0;

  private fail(problem: string): StorageCorruptError {
    return this.corrupt(this.name, this.offset, problem);
  }

  visit = (type: number, p: number, length: number, offset: number): void => {
    this.offset = offset;
    const buf = this.buf;
    if (this.header === null) {
      if (type !== RecordType.segment) throw this.fail('the segment does not start with a segment record');
      this.startSegment(p, length);
    } else if (this.sealedBy !== null) {
      throw this.fail('a record follows the seal record');
    } else if (type === RecordType.entry) {
      const e = decodeEntry(buf, this.arrayBuffer, this.byteOffset, p, length);
      if (e === null) throw this.fail('malformed entry record');
      if (this.batch.hardState !== null) throw this.fail('a batch with its records out of order');
      this.batch.entries.push(e);
      this.pending++;
    } else if (type === RecordType.hardState) {
      const hs = decodeHardState(buf, p, length);
      if (hs === null) throw this.fail('malformed hard state record');
      if (this.batch.hardState !== null) throw this.fail('a batch with its records out of order');
      this.batch.hardState = hs.value;
      this.pending++;
    } else if (type === RecordType.snapshot) {
      const ref = decodeSnapshotRef(buf, p, length);
      if (ref === null) throw this.fail('malformed snapshot record');
      if (this.pending > 0) throw this.fail('a batch with its records out of order');
      this.batch.snapshot = ref;
      this.pending++;
    } else if (type === RecordType.commit) {
      this.commit(length === 4 ? readU32(buf, p) : -1);
    } else if (type === RecordType.seal) {
      if (this.pending > 0) throw this.fail('a seal record inside a batch');
      if (length !== 8 || readU64(buf, p) !== this.seq + 1) throw this.fail('malformed seal record');
      this.sealedBy = this.seq + 1;
    } else {
      throw this.fail(`unknown record type ${type} (written by a newer version of Raftnotes?)`);
    }
    if (type !== RecordType.entry && type !== RecordType.hardState && type !== RecordType.snapshot) {
      this.goodEnd = p + length;
    }
  };

  private startSegment(p: number, length: number): void {
    const version = segmentVersion(this.buf, p, length);
    if (version !== null && version !== FORMAT_VERSION) {
      throw this.fail(`format version ${version}: written by a newer version of Raftnotes, which this one cannot read`);
    }
    const h = decodeSegmentHeader(this.buf, p, length);
    if (h === null) throw this.fail('malformed segment record');
    if (h.seq !== this.seq) throw this.fail(`the segment record says it is segment ${h.seq}`);
    const s = this.state;
    if (this.first) {
      s.hardState = h.hardState;
      s.snapshot = h.snapshot;
      s.base = Math.max(h.prevLastIndex, s.snapshotIndex);
      s.missingUpTo = h.prevLastIndex > s.snapshotIndex ? h.prevLastIndex : 0;
    } else if (
      h.prevLastIndex !== s.lastIndex ||
      JSON.stringify(h.hardState) !== JSON.stringify(s.hardState) ||
      JSON.stringify(h.snapshot) !== JSON.stringify(s.snapshot)
    ) {
      throw this.fail('the segment does not continue the one before it (a batch of that segment is missing or damaged)');
    }
    this.header = h;
  }

  private commit(count: number): void {
    if (count !== this.pending) throw this.fail(`the commit record counts ${count} records, the batch has ${this.pending}`);
    const problem = this.state.check(this.batch);
    if (problem !== null) throw this.fail(`a batch that does not fit the log: ${problem}`);
    this.state.apply(this.batch);
    this.batch = { hardState: null, snapshot: null, entries: [] };
    this.pending = 0;
  }
}

/** readFile reads a whole file of the storage directory `dir`; a failure is a StorageReadError naming it. */
function readFile(dir: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw readFailure(dir, file, err);
  }
}

/** zeroFrom overwrites `file[from, to)` with zeros, durably, so a torn batch can never be read back after new data. */
function zeroFrom(file: string, from: number, to: number): void {
  if (to <= from) return;
  const fd = fs.openSync(file, 'r+');
  try {
    writeFully(fd, Buffer.alloc(to - from), from);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * compactBuffer moves the data of the entries read from `buf` into a buffer of
 * just `used` bytes when most of `buf` is the segment's unused zeros, so the
 * entries do not keep a mostly empty segment alive.
 */
function compactBuffer(entries: Entry[], buf: Buffer, used: number): void {
  if (buf.length < 1 << 16 || used > buf.length / 2) return;
  const compact = new Uint8Array(used);
  compact.set(buf.subarray(0, used));
  for (let i = entries.length - 1; i >= 0; i--) {
    const d = entries[i].data;
    if (d.buffer !== buf.buffer) break;
    entries[i] = { ...entries[i], data: new Uint8Array(compact.buffer, d.byteOffset - buf.byteOffset, d.length) };
  }
}

/** readSnapshot reads the snapshot file `ref` names and checks it is the one the log wrote. */
function readSnapshot(dir: string, ref: SnapshotRef, corrupt: Corrupt): Snapshot {
  const name = snapshotName(ref.index, ref.term);
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) throw corrupt(name, 0, 'this snapshot file is missing');
  const buf = readFile(dir, file);
  const r = checkRecord(buf, 0);
  if (r.problem !== null || r.type !== RecordType.snapshotFile || r.end !== buf.length) {
    throw corrupt(name, r.problem === null ? r.end : 0, 'the snapshot file is damaged');
  }
  if (r.length !== ref.length || readU32(buf, 8) !== ref.crc) {
    throw corrupt(name, 0, 'the snapshot file does not match the one the log refers to');
  }
  const s = decodeSnapshotFile(buf, r.payload, r.length);
  if (s === null || s.version !== FORMAT_VERSION || s.index !== ref.index || s.term !== ref.term) {
    throw corrupt(name, r.payload, 'the snapshot file does not match the one the log refers to');
  }
  return { index: s.index, term: s.term, membership: s.membership, data: s.data };
}

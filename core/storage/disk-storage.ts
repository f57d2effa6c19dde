// DiskStorage is the durable RaftStorage: a segmented write-ahead log written
// with node:fs, one fdatasync per save (group commit), snapshots in their own
// files. On-disk format: ./wal-format.ts. Recovery: ./wal-recovery.ts.
//
// Why this mechanism (the measurements: bench/results/design.md; the
// benchmark: `npm run bench:storage`, bench/results/storage.md): (1) a log of
// our own, since SQLite reaches 0.6 of the raw fdatasync rate at one entry
// per save, needs 5 s or more to reopen a million entries (target 2 s), and
// checksums none of its pages; (2) segments preallocated with zeros, since
// growing a file makes every fdatasync also commit the inode (-25%);
// (3) synchronous write + fdatasync on the calling thread, since a thread-pool
// hop costs about as much as the fdatasync itself on a fast disk (-45%). The
// price is that save() blocks the event loop for one fdatasync (about 0.15 ms
// here, a few ms on a slow laptop disk). Filling the next segment with zeros,
// the slow part, runs in the background (synced every MiB, so it never stalls
// the log's own fdatasyncs for long) and its file is kept across restarts.
// LMDB was not tried: it is a native addon, which the app avoids.
//
// Durability order of one save: (snapshot file: write, fdatasync, rename,
// fsync the directory), then the batch's records in one write and one
// fdatasync (skipped when the batch only moves the commit index: mustSync);
// when the batch starts a new segment, the new segment is written,
// fdatasynced, renamed into place and the directory fsynced before the old
// segment gets its seal record. save() resolves after all of that.

import fs from 'node:fs';
import path from 'node:path';
import type { Snapshot } from '../raft/types.ts';
import { StorageClosedError, StorageCorruptError, StorageReadError, writeFailure } from './errors.ts';
import { LogState } from './log-state.ts';
import { NextSegment } from './next-segment.ts';
import type { RaftStorage, StorageBatch, StorageState } from './storage.ts';
import {
  listDir,
  lockDir,
  preallocate,
  PREALLOC_FILE,
  segmentName,
  snapshotName,
  syncDir,
  VERSION_FILE,
  VERSION_TEXT,
  writeFully,
} from './storage-dir.ts';
import { writeFileDurably } from './durable-file.ts';
import { encodeBatch, encodeSnapshotFile, RecordWriter, SEAL_RECORD_BYTES, segmentRecordSize } from './record-writer.ts';
import { FORMAT_VERSION, type SegmentHeader, type SnapshotRef } from './wal-format.ts';
import { recoverDir, type Recovered, type SegmentInfo } from './wal-recovery.ts';

/** DiskStorageInit configures DiskStorage.open. */
export interface DiskStorageInit {
  /** Bytes per log segment, preallocated; default 32 MiB. Tests pass small values. */
  segmentBytes?: number;
  /** Receives recovery warnings (a torn write cut off); default process.emitWarning. */
  onWarning?: (message: string) => void;
}

const DEFAULT_SEGMENT_BYTES = 32 << 20;

/**
 * DiskStorage keeps the log in `dir`, a directory of its own (the service uses
 * `<data>/raft`); at most one DiskStorage, in any process, has a directory open.
 */
export class DiskStorage implements RaftStorage {
  private readonly dir: string;
  private readonly warn: (message: string) => void;
  private readonly unlock: () => void;
  private readonly state: LogState<SnapshotRef>;
  private snapshot: Snapshot | null;
  /** The segments on disk, oldest first; the last one is being written. */
  private readonly segments: SegmentInfo[];
  private fd: number;
  /** Invariant: the current segment holds only zeros from writePos on. */
  private writePos: number;
  /**
   * The size of the current segment's file. Invariant: writePos + SEAL_RECORD_BYTES <= segmentEnd; nothing is
   * written past it, so a crash cannot leave a segment shorter than its data (recovery refuses one that is).
   */
  private segmentEnd: number;
  private readonly nextSegment: NextSegment;
  /** Saves run one at a time, in call order: each waits for `queue`, the settling of the one before. */
  private queue: Promise<void> = Promise.resolve();
  /** Saves called and not yet settled. */
  private pending = 0;
  /** Set by the first failed write; every later call throws it. */
  private failure: Error | null = null;
  /** Set by close(); later calls are refused. */
  private closing = false;

  private constructor(dir: string, init: Required<DiskStorageInit>, unlock: () => void, r: Recovered, fd: number) {
    this.dir = dir;
    this.warn = init.onWarning;
    this.unlock = unlock;
    this.state = r.state;
    this.snapshot = r.snapshot;
    this.segments = r.segments;
    this.writePos = r.writePos;
    this.fd = fd;
    this.segmentEnd = fs.fstatSync(fd).size;
    this.nextSegment = new NextSegment(dir, init.segmentBytes);
  }

  /** open recovers the storage in `dir` (creating it when empty); it throws StorageCorruptError when the data cannot be trusted. */
  static async open(dir: string, init: DiskStorageInit = {}): Promise<DiskStorage> {
    const options: Required<DiskStorageInit> = {
      segmentBytes: init.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      onWarning: init.onWarning ?? ((message) => process.emitWarning(message, { type: 'StorageWarning' })),
    };
    if (!(options.segmentBytes >= 4096)) throw new RangeError('DiskStorage: segmentBytes must be at least 4096');
    makeDirDurably(dir);
    const unlock = lockDir(dir);
    try {
      const recovered = recoverDir(dir, options.onWarning) ?? createLog(dir, options.segmentBytes);
      if (!listDir(dir).hasVersion) writeFileDurably(dir, VERSION_FILE, [Buffer.from(VERSION_TEXT)]);
      const last = recovered.segments[recovered.segments.length - 1];
      const fd = fs.openSync(path.join(dir, segmentName(last.seq)), 'r+');
      const storage = new DiskStorage(dir, options, unlock, recovered, fd);
      storage.nextSegment.prepare();
      return storage;
    } catch (err) {
      unlock();
      if (err instanceof StorageCorruptError || err instanceof StorageReadError || !(err as NodeJS.ErrnoException).code) throw err;
      throw writeFailure(dir, err);
    }
  }

  async load(): Promise<StorageState> {
    this.checkUsable('load');
    const result: StorageState = { hardState: { ...this.state.hardState }, entries: this.state.entries.slice() };
    if (this.snapshot !== null) result.snapshot = this.snapshot;
    return result;
  }

  save(batch: StorageBatch): Promise<void> {
    if (this.closing) return Promise.reject(new StorageClosedError(`DiskStorage.save: the storage in ${this.dir} is closed`));
    // The usual case, one save at a time, skips the queue's promises: every microsecond shows at one entry per save.
    const run = this.pending === 0 ? this.persist(batch) : this.queue.then(() => this.persist(batch));
    this.pending++;
    const settled = run.then(
      () => void this.pending--,
      () => void this.pending--,
    );
    this.queue = settled;
    return run;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true; // saves already called still run
    await this.queue;
    await this.nextSegment.settled(); // a ready next segment stays for the next start
    fs.closeSync(this.fd);
    this.unlock();
  }

  private checkUsable(what: string): void {
    if (this.closing && what === 'load') throw new StorageClosedError(`DiskStorage.load: the storage in ${this.dir} is closed`);
    if (this.failure !== null) throw this.failure;
  }

  private async persist(batch: StorageBatch): Promise<void> {
    this.checkUsable('save');
    const problem = this.state.check(batch);
    if (problem !== null) throw new RangeError(`DiskStorage.save: invalid batch: ${problem}`);
    if (batch.hardState === null && batch.snapshot === null && batch.entries.length === 0) return;
    let file: () => string = () => segmentName(this.currentSeq); // what is being written, for the error
    let ref: SnapshotRef | null = null;
    let rolledOver = false;
    try {
      if (batch.snapshot !== null) {
        const name = snapshotName(batch.snapshot.index, batch.snapshot.term);
        file = () => name;
        const encoded = encodeSnapshotFile(batch.snapshot);
        writeFileDurably(this.dir, name, encoded.parts);
        ref = encoded.ref;
        file = () => segmentName(this.currentSeq);
      }
      const records = encodeBatch(batch, ref);
      if (this.writePos + records.length + SEAL_RECORD_BYTES > this.segmentEnd) {
        const next = segmentName(this.currentSeq + 1);
        file = () => next;
        await this.rollover(records);
        rolledOver = true;
      } else {
        writeFully(this.fd, records, this.writePos);
        if (mustSync(batch, this.state.hardState)) fs.fdatasyncSync(this.fd);
        this.writePos += records.length;
      }
    } catch (err) {
      this.failure = writeFailure(path.join(this.dir, file()), err);
      throw this.failure;
    }
    this.state.apply({ hardState: batch.hardState, snapshot: ref, entries: batch.entries });
    if (batch.snapshot !== null) this.snapshot = batch.snapshot;
    if (batch.snapshot !== null || rolledOver) this.removeOldFiles();
  }

  private get currentSeq(): number {
    return this.segments[this.segments.length - 1].seq;
  }

  /** rollover starts the next segment with `records` after its segment record, then seals the current one. */
  private async rollover(records: Buffer): Promise<void> {
    const seq = this.currentSeq + 1;
    const header: SegmentHeader = {
      version: FORMAT_VERSION,
      seq,
      prevLastIndex: this.state.lastIndex,
      hardState: this.state.hardState,
      snapshot: this.state.snapshot,
    };
    const w = new RecordWriter(segmentRecordSize(header));
    w.segment(header);
    const file = await this.nextSegment.take(seq);
    const fd = fs.openSync(file, 'r+');
    let size: number;
    try {
      // A batch larger than a segment gets a larger one, with room for the seal record after it.
      size = fs.fstatSync(fd).size;
      const need = w.buf.length + records.length + SEAL_RECORD_BYTES;
      if (size < need) fs.ftruncateSync(fd, (size = need));
      writeFully(fd, w.buf, 0);
      writeFully(fd, records, w.buf.length);
      fs.fdatasyncSync(fd);
      fs.renameSync(file, path.join(this.dir, segmentName(seq)));
      syncDir(this.dir);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    const seal = new RecordWriter(SEAL_RECORD_BYTES);
    seal.seal(seq);
    const old = this.fd;
    this.fd = fd;
    this.segments.push({ seq, prevLastIndex: header.prevLastIndex });
    const oldPos = this.writePos;
    this.writePos = w.buf.length + records.length;
    this.segmentEnd = size;
    try {
      writeFully(old, seal.buf, oldPos);
      fs.fdatasyncSync(old);
    } finally {
      fs.closeSync(old);
    }
    this.nextSegment.prepare();
  }

  /**
   * removeOldFiles deletes snapshot files other than the current one, and the
   * segments the snapshot covers: those before the newest segment that began
   * at or below the snapshot's index (every live entry before it is covered).
   */
  private removeOldFiles(): void {
    try {
      const keep = this.snapshot === null ? '' : snapshotName(this.snapshot.index, this.snapshot.term);
      for (const name of listDir(this.dir).snapshots) {
        if (name !== keep) fs.rmSync(path.join(this.dir, name), { force: true });
      }
      let k = 0;
      for (let i = 0; i < this.segments.length; i++) {
        if (this.segments[i].prevLastIndex <= this.state.snapshotIndex) k = i;
      }
      while (k > 0) {
        fs.rmSync(path.join(this.dir, segmentName(this.segments[0].seq)), { force: true });
        this.segments.shift();
        k--;
      }
    } catch (err) {
      this.warn(`could not remove old files in ${this.dir}: ${String(err)}`);
    }
  }
}

/**
 * mustSync says whether a batch needs its fdatasync (etcd's MustSync): all do
 * but one that only moves the commit index. The commit index can be learned
 * again from the leader (and a snapshot implies its own), so losing that
 * record to a power cut is safe; the next synced batch makes it durable
 * anyway, being later in the same file. A crash of the process alone loses
 * nothing: the record was written to the file before save() resolved.
 */
function mustSync(batch: StorageBatch, stored: { term: number; votedFor: string | null }): boolean {
  if (batch.entries.length > 0 || batch.snapshot !== null || batch.hardState === null) return true;
  return batch.hardState.term !== stored.term || batch.hardState.votedFor !== stored.votedFor;
}

/** makeDirDurably creates `dir` and its missing parents, and fsyncs each parent so the new entries survive a power cut. */
function makeDirDurably(dir: string): void {
  const created = fs.mkdirSync(dir, { recursive: true });
  if (created === undefined) return;
  for (let d = path.resolve(dir); d !== path.dirname(path.resolve(created)); d = path.dirname(d)) syncDir(path.dirname(d));
}

/** createLog starts a new log in `dir`: segment 1 holding only its segment record. */
function createLog(dir: string, segmentBytes: number): Recovered {
  const state = new LogState<SnapshotRef>();
  const header: SegmentHeader = {
    version: FORMAT_VERSION,
    seq: 1,
    prevLastIndex: 0,
    hardState: state.hardState,
    snapshot: null,
  };
  const w = new RecordWriter(segmentRecordSize(header));
  w.segment(header);
  const tmp = path.join(dir, PREALLOC_FILE);
  preallocate(tmp, segmentBytes);
  const fd = fs.openSync(tmp, 'r+');
  try {
    writeFully(fd, w.buf, 0);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, segmentName(1)));
  syncDir(dir);
  return { state, snapshot: null, segments: [{ seq: 1, prevLastIndex: 0 }], writePos: w.buf.length };
}

// The files of a DiskStorage directory: their names, the file primitives
// (whole writes, directory fsync; a whole file written durably is in
// ./durable-file.ts), preallocation of segments, and the LOCK that keeps a
// second process out. Layout: ./wal-format.ts.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StorageLockedError } from './errors.ts';

/** VERSION_FILE marks a directory that holds a log; its content names the format. */
export const VERSION_FILE = 'VERSION';
/** VERSION_TEXT is the content of VERSION_FILE for format 1. */
export const VERSION_TEXT = 'raftnotes-storage 1\n';
/** PREALLOC_FILE is the next segment, being filled with zeros. */
export const PREALLOC_FILE = 'prealloc.tmp';
/** PREALLOC_READY is the next segment, filled with zeros and synced: kept across restarts. */
export const PREALLOC_READY = 'prealloc.ready';

const hex = (n: number): string => n.toString(16).padStart(16, '0');

/** segmentName returns the file name of segment `seq`. */
export const segmentName = (seq: number): string => `wal-${hex(seq)}.log`;
/** snapshotName returns the file name of the snapshot at `index` of `term`. */
export const snapshotName = (index: number, term: number): string => `snap-${hex(index)}-${hex(term)}.snap`;

/** DirListing sorts a storage directory's files by role. */
export interface DirListing {
  /** Segments in seq order. */
  segments: { seq: number; name: string }[];
  snapshots: string[];
  temporary: string[];
  hasVersion: boolean;
}

/** listDir reads what a storage directory holds; unknown files are left alone. */
export function listDir(dir: string): DirListing {
  const listing: DirListing = { segments: [], snapshots: [], temporary: [], hasVersion: false };
  for (const name of fs.readdirSync(dir)) {
    const seg = /^wal-([0-9a-f]{16})\.log$/.exec(name);
    if (seg !== null) listing.segments.push({ seq: parseInt(seg[1], 16), name });
    else if (/^snap-[0-9a-f]{16}-[0-9a-f]{16}\.snap$/.test(name)) listing.snapshots.push(name);
    else if (/^(wal-[0-9a-f]{16}\.log|snap-[0-9a-f]{16}-[0-9a-f]{16}\.snap|prealloc|VERSION)\.tmp$/.test(name)) {
      listing.temporary.push(name);
    }
    else if (name === VERSION_FILE) listing.hasVersion = true;
  }
  listing.segments.sort((a, b) => a.seq - b.seq);
  return listing;
}

/** writeFully writes all of `buf` at `position`. */
export function writeFully(fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

/** syncDir makes the directory entries of `dir` durable (after a create, rename or unlink). */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const ZERO_CHUNK = Buffer.alloc(1 << 20);

/** preallocate fills `file` with `bytes` zero bytes and makes them durable, so later in-place writes need no metadata update. */
export function preallocate(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let pos = 0; pos < bytes; pos += ZERO_CHUNK.length) {
      writeFully(fd, ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, bytes - pos)), pos);
    }
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * preallocateInBackground is preallocate() on libuv's thread pool, for the
 * segment after the current one. It syncs every MiB: one fdatasync of the whole
 * 32 MiB stalled the log's own fdatasyncs for up to 60 ms, 1 MiB steps for a few ms.
 */
export async function preallocateInBackground(file: string, bytes: number): Promise<void> {
  const fh = await fsp.open(file, 'w');
  try {
    for (let pos = 0; pos < bytes; ) {
      // A short write is how a full disk first shows; the next write then fails with ENOSPC.
      pos += (await fh.write(ZERO_CHUNK, 0, Math.min(ZERO_CHUNK.length, bytes - pos), pos)).bytesWritten;
      await fh.datasync();
    }
  } finally {
    await fh.close();
  }
}

/** openDirs holds the directories this process has open, since a pid in LOCK cannot tell two of its own apart. */
const openDirs = new Set<string>();

/** lockDir takes the LOCK of `dir` for this process, or throws StorageLockedError when a live process holds it. */
export function lockDir(dir: string): () => void {
  const key = path.resolve(dir);
  if (openDirs.has(key)) throw new StorageLockedError(`${dir} is already open in this process: close it first`);
  const file = path.join(dir, 'LOCK');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (Number.isSafeInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new StorageLockedError(
        `${dir} is in use by process ${pid}: stop that peer first. If no Raftnotes peer is running, delete ${file}.`,
      );
    }
    fs.rmSync(file, { force: true }); // left behind by a process that is gone
  }
  openDirs.add(key);
  return () => {
    openDirs.delete(key);
    fs.rmSync(file, { force: true });
  };
}

/** isAlive tells whether process `pid` runs; a zombie (killed, not yet reaped) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS, Windows): trust kill(pid, 0)
  }
}

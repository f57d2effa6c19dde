// Writing a whole small file durably and atomically, the one implementation for
// every such file of a peer (DiskStorage's VERSION and snapshots, the notebook
// record, the peer key, the service's files): a temporary file in the same
// directory, written and fdatasynced, then renamed over the target (or, to create
// the file only if it does not exist, linked to it), then an fsync of the
// directory, so that after a crash the file is either the old one or the new
// one, whole, and its name survives.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { syncDir, writeFully } from './storage-dir.ts';

/** DurableWriteOptions changes how writeFileDurably treats an existing file. */
export interface DurableWriteOptions {
  /**
   * Create the file only if it does not exist (link() fails then), so that of
   * two processes writing it at once, exactly one succeeds: writeFileDurably
   * then returns false and leaves the file as the other process wrote it.
   */
  exclusive?: boolean;
}

/**
 * writeFileDurably writes `name` in `dir` with the concatenated `parts`, mode
 * `mode` (less the umask) if it creates the file, durably and atomically: a
 * temporary file, fdatasync, rename (or link, with `exclusive`), fsync of the
 * directory. It returns true once the file is in place, false when `exclusive`
 * and the file already existed.
 *
 * A replacing write uses the temporary name `<name>.tmp` (DiskStorage removes
 * such files on open), so one file must not have two writers at once; an
 * exclusive write, whose point is to race, uses a name of its own.
 */
export function writeFileDurably(dir: string, name: string, parts: Uint8Array[], mode = 0o666, options: DurableWriteOptions = {}): boolean {
  const exclusive = options.exclusive === true;
  const file = path.join(dir, name);
  const tmp = path.join(dir, exclusive ? `${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp` : `${name}.tmp`);
  const fd = fs.openSync(tmp, exclusive ? 'wx' : 'w', mode);
  let tmpLeft = true;
  try {
    try {
      let pos = 0;
      for (const part of parts) {
        writeFully(fd, part, pos);
        pos += part.length;
      }
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (exclusive) {
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
    } else {
      fs.renameSync(tmp, file);
      tmpLeft = false;
    }
  } finally {
    if (tmpLeft) removeQuietly(tmp);
  }
  syncDir(dir);
  return true;
}

/** removeQuietly removes a temporary file of ours; failing to is no error of the write. */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // A leftover <name>.tmp is overwritten by the next write (and DiskStorage's removed on open).
  }
}

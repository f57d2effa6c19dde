// NextSegment keeps a zero-filled file ready for the segment after the
// current one, filling it in the background so a rollover does not wait for
// 32 MiB of zeros. A filled file is kept across restarts (prealloc.ready).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { preallocate, preallocateInBackground, PREALLOC_FILE, PREALLOC_READY, segmentName } from './storage-dir.ts';

/** NextSegment prepares the zero-filled file of the next segment of the log in `dir`. */
export class NextSegment {
  private readonly dir: string;
  private readonly bytes: number;
  /** Resolves to whether PREALLOC_READY is there; null when nothing is being prepared. */
  private preparing: Promise<boolean> | null = null;

  constructor(dir: string, bytes: number) {
    this.dir = dir;
    this.bytes = bytes;
  }

  /** prepare makes sure a zero-filled next segment is there or being made in the background. */
  prepare(): void {
    const ready = path.join(this.dir, PREALLOC_READY);
    const size = fs.statSync(ready, { throwIfNoEntry: false })?.size;
    if (size === this.bytes) {
      this.preparing = Promise.resolve(true);
      return;
    }
    if (size !== undefined) fs.rmSync(ready);
    const file = path.join(this.dir, PREALLOC_FILE);
    this.preparing = preallocateInBackground(file, this.bytes).then(
      async () => {
        await fsp.rename(file, ready);
        return true;
      },
      async () => {
        await fsp.rm(file, { force: true }); // a full disk, most likely: give the space back
        return false;
      },
    );
  }

  /**
   * take returns a zero-filled file for segment `seq` under a temporary name
   * (so a crash while it is written leaves nothing that open() would use),
   * filling one now if the background has not.
   */
  async take(seq: number): Promise<string> {
    const ready = await this.settled();
    this.preparing = null;
    const file = path.join(this.dir, `${segmentName(seq)}.tmp`);
    if (ready) {
      fs.renameSync(path.join(this.dir, PREALLOC_READY), file);
      return file;
    }
    try {
      preallocate(file, this.bytes);
    } catch (err) {
      fs.rmSync(file, { force: true }); // give back the space of a full disk
      throw err;
    }
    return file;
  }

  /** settled waits for the background work, if any, and tells whether a ready file is there. */
  async settled(): Promise<boolean> {
    return this.preparing === null ? false : this.preparing;
  }
}

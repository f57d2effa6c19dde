// The errors that storage throws at its I/O edge. Each names what went wrong and
// what the user can do about it; the service shows `message` as it is.

/** recoveryAdvice tells the user how to get a peer whose storage in `dir` cannot be trusted going again. */
export function recoveryAdvice(dir: string): string {
  return (
    `To recover: stop this peer, move ${dir} aside (keep it for diagnosis), remove this peer from the ` +
    'notebook on another peer, and join again with an invite: the other peers send it the notes again.'
  );
}

/** StorageCorruptError says the data on disk is damaged or incomplete, so the peer must not start from it. */
export class StorageCorruptError extends Error {
  static override readonly name = 'StorageCorruptError';
  override readonly name = 'StorageCorruptError';
  /** The damaged or missing file. */
  readonly file: string;
  /** Byte offset of the damage within `file` (0 for a missing file). */
  readonly offset: number;

  constructor(file: string, offset: number, problem: string, advice: string) {
    super(`Storage is damaged: ${file} at offset ${offset}: ${problem}. This peer will not start from it. ${advice}`);
    this.file = file;
    this.offset = offset;
  }
}

/** StorageReadError says a file of the storage could not be read (no permission, an I/O error), so the peer must not start. */
export class StorageReadError extends Error {
  static override readonly name = 'StorageReadError';
  override readonly name = 'StorageReadError';
  /** The file that could not be read. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.file = file;
  }
}

/** readFailure wraps an I/O error from reading `file` of the storage directory `dir` into the named error the caller sees. */
export function readFailure(dir: string, file: string, err: unknown): StorageReadError {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? String(err);
  return new StorageReadError(
    file,
    `Cannot read ${file} (${code}): this peer will not start without it. Give the user that runs the peer read and ` +
      `write access to ${dir} and the files in it (or, if that is not the cause, check the disk), then start the peer again.`,
    { cause: err },
  );
}

/** StorageWriteError says a write or fsync failed; the storage then refuses every later save. */
export class StorageWriteError extends Error {
  static override readonly name: string = 'StorageWriteError';
  override readonly name: string = 'StorageWriteError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** StorageFullError is the StorageWriteError of a full disk (ENOSPC or EDQUOT). */
export class StorageFullError extends StorageWriteError {
  static override readonly name = 'StorageFullError';
  override readonly name = 'StorageFullError';
}

/** StorageLockedError says another running peer already uses this storage directory. */
export class StorageLockedError extends Error {
  static override readonly name = 'StorageLockedError';
  override readonly name = 'StorageLockedError';
}

/** StorageClosedError says the storage was used after close(). */
export class StorageClosedError extends Error {
  static override readonly name = 'StorageClosedError';
  override readonly name = 'StorageClosedError';
}

/** writeFailure wraps an I/O error from writing `file` into the named error the caller sees. */
export function writeFailure(file: string, err: unknown): StorageWriteError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageFullError(
      `The disk is full: writing ${file} failed (${code}). Nothing after the last saved entry was acknowledged. ` +
        'Free some space on this disk and restart the peer.',
      { cause: err },
    );
  }
  return new StorageWriteError(
    `Writing ${file} failed (${code ?? String(err)}). Nothing after the last saved entry was acknowledged. ` +
      'Check the disk, then restart the peer.',
    { cause: err },
  );
}

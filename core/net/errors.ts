// Errors that core/net throws at its edges. Each one names what went wrong
// and, where a person can act, what to do; the service shows `message` as is.

/** InvalidFrameError says bytes from a peer are not a valid frame; the stream they came on is closed. */
export class InvalidFrameError extends Error {
  static override readonly name: string = 'InvalidFrameError';
  override readonly name: string = 'InvalidFrameError';
}

/** FrameTooLargeError says a frame is larger than MAX_FRAME_BYTES, whether to send or as announced by a peer. */
export class FrameTooLargeError extends InvalidFrameError {
  static override readonly name = 'FrameTooLargeError';
  override readonly name: string = 'FrameTooLargeError';
  /** The size in bytes the frame has or announced. */
  readonly size: number;
  /** The limit it broke. */
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(`frame of ${size} bytes is larger than the limit of ${limit} bytes`);
    this.size = size;
    this.limit = limit;
  }
}

/** InvalidInviteError says an invite code cannot be used; the message tells the user what to do. */
export class InvalidInviteError extends Error {
  static override readonly name = 'InvalidInviteError';
  override readonly name: string = 'InvalidInviteError';

  constructor(problem: string) {
    super(
      `This invite code is not valid: ${problem}. Copy the whole code again from the inviting device ` +
      '(Invite, or `raftnotes invite --data <dir>` there) and paste it unchanged.',
    );
  }
}

/** InvalidNotebookError says a notebook record (id, name, key) breaks its rules. */
export class InvalidNotebookError extends Error {
  static override readonly name = 'InvalidNotebookError';
  override readonly name: string = 'InvalidNotebookError';
}

/** IdentityFileError says the peer key file in the data directory cannot be read as a key. */
export class IdentityFileError extends Error {
  static override readonly name = 'IdentityFileError';
  override readonly name: string = 'IdentityFileError';
  /** The file that could not be used. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `The peer key file ${file} is damaged: ${problem}. Restore it from a backup of this data directory; ` +
      'or, to make this device a new peer, move the file aside and start again, then remove the old peer ' +
      'from the notebook on another device and join with a new invite code.',
      options,
    );
    this.file = file;
  }
}

/** NotebookFileError says the notebook file in the data directory cannot be read. */
export class NotebookFileError extends Error {
  static override readonly name = 'NotebookFileError';
  override readonly name: string = 'NotebookFileError';
  /** The file that could not be used. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `The notebook file ${file} is damaged: ${problem}. Restore it from a backup of this data directory, ` +
      'or move the data directory aside and join the notebook again with an invite code from another device.',
      options,
    );
    this.file = file;
  }
}

/** ListenError says the peer cannot listen on one of its addresses (the port is taken, the address is not this device's). */
export class ListenError extends Error {
  static override readonly name = 'ListenError';
  override readonly name: string = 'ListenError';
  /** The listen address that failed. */
  readonly addr: string;

  constructor(addr: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot listen on ${addr}: ${reason}.`, options);
    this.addr = addr;
  }
}

/**
 * listenErrorOf turns libp2p's UnsupportedListenAddressesError, whose message
 * lists each failed address with its error ("  /ip4/…/tcp/4001: Error: listen
 * EADDRINUSE: …"), into a ListenError naming the first one; null for any other error.
 */
export function listenErrorOf(err: unknown): ListenError | null {
  if (!(err instanceof Error) || err.name !== 'UnsupportedListenAddressesError') return null;
  const failed = /^\s+(\/\S+): (.*)$/m.exec(err.message);
  if (failed === null) return null;
  const [, addr, detail] = failed as unknown as [string, string, string];
  const port = /\/tcp\/(\d+)/.exec(addr)?.[1];
  const reason = /EADDRINUSE/.test(detail) ? `port ${port ?? '?'} is already in use (by another program, or another peer)`
    : /EADDRNOTAVAIL/.test(detail) ? 'this device has no such address'
    : /EACCES/.test(detail) ? `port ${port ?? '?'} is reserved for the system administrator (ports below 1024)`
    : detail.replace(/^Error: /, '');
  return new ListenError(addr, reason, { cause: err });
}

/** ProtocolError says a request/response exchange with a peer (join, status) failed; `cause` has the detail. */
export class ProtocolError extends Error {
  static override readonly name = 'ProtocolError';
  override readonly name: string = 'ProtocolError';
}

/**
 * otherVersionMessage says that `peer` refused `protocol`: it runs another
 * version of Raftnotes (the protocol ids carry the wire format's version).
 */
export function otherVersionMessage(peer: string, protocol: string): string {
  return `${peer} does not speak ${protocol}: it runs another version of Raftnotes. Update both devices to the same version.`;
}

/** isUnsupportedProtocol tells whether a dial failed because the remote peer does not speak the protocol asked for. */
export function isUnsupportedProtocol(err: unknown): boolean {
  return err instanceof Error && err.name === 'UnsupportedProtocolError';
}

/** IsolatedError says this peer is cut off from the others (setIsolated(true)), so it cannot reach a peer. */
export class IsolatedError extends Error {
  static override readonly name = 'IsolatedError';
  override readonly name: string = 'IsolatedError';

  constructor() {
    super('this peer is isolated from the network; reconnect it first');
  }
}

/** KeyStreamExhaustedError says a private network connection used up its XSalsa20 key stream (256 GiB one way); it is closed. */
export class KeyStreamExhaustedError extends Error {
  static override readonly name = 'KeyStreamExhaustedError';
  override readonly name: string = 'KeyStreamExhaustedError';

  constructor() {
    super('the XSalsa20 key stream of this connection is used up (256 GiB in one direction); the connection is closed; a new one starts a new key stream');
  }
}

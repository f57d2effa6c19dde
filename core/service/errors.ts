// ServiceError is an expected refusal of a request to the running peer: a
// stable code and a message that tells the user what to do. The service knows
// no transport; each adapter of core/api maps the codes (HTTP: a status each,
// in core/api/errors.ts; IPC: the code itself).

/** ServiceErrorCode is every code the service refuses a request with. */
export type ServiceErrorCode =
  /** The input is not what the operation takes (core/api's schemas name the field). */
  | 'invalid-request' | 'invalid-text' | 'invalid-version' | 'invalid-name' | 'invalid-invite'
  | 'invalid-member' | 'invalid-range' | 'invalid-format'
  /** The note, member or refused request does not exist (here, now). */
  | 'not-found'
  /** The note changed since the version the caller saw. */
  | 'conflict'
  /** First run only, or not on the first run. */
  | 'notebook-exists' | 'no-notebook'
  /** Membership and leadership; `removed`: this peer was removed from the notebook; `not-removed`: it was not. */
  | 'not-leader' | 'last-voter' | 'config-change-pending' | 'transferring' | 'removed' | 'not-removed'
  /** The cluster or this peer cannot do it now. */
  | 'no-majority' | 'storage-failed'
  /** This peer has not applied the log as far as asked yet. */
  | 'behind'
  /** The demo's controls (POST /api/lab) on a peer started without --lab. */
  | 'lab-off';

/** UNEXPECTED_ERROR_MESSAGE is what every adapter answers for a bug (an error that is not a ServiceError). */
export const UNEXPECTED_ERROR_MESSAGE = 'The peer hit an unexpected error; see its log. Your notes are safe.';

/** ServiceError is thrown by the service for a request it refuses; `extra` holds fields the answer carries (e.g. `current`). */
export class ServiceError extends Error {
  static override name = 'ServiceError';
  override name = 'ServiceError';
  readonly code: ServiceErrorCode;
  /** Extra fields of the answer, e.g. the current note of a conflict or the leader's id. */
  readonly extra: Record<string, unknown>;

  constructor(code: ServiceErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.extra = extra;
  }
}

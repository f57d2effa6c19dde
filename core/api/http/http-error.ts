// HttpError is a refusal of the HTTP layer itself (a missing token, a foreign
// Host, an unknown path, a body too large), and ERROR_STATUS is the one table
// that maps the service's refusals (ServiceError codes) to HTTP statuses.
// Both reach the client as JSON `{ error: code, message, ...extra }`.
import type { ServiceErrorCode } from '../../service/errors.ts';

/** HttpErrorCode is every code the HTTP layer refuses a request with. */
export type HttpErrorCode =
  | 'unauthorized' | 'forbidden-host' | 'forbidden-origin' | 'not-found' | 'method-not-allowed'
  | 'invalid-json' | 'incomplete-body' | 'too-large' | 'stopping' | 'internal'
  /** The demo server's own. */
  | 'no-such-peer' | 'peer-stopped' | 'peer-running' | 'peer-unreachable' | 'start-failed' | 'demo-stopping' | 'invalid-control';

/** HttpError is answered with its status and `{ error: code, message, ...extra }`. */
export class HttpError extends Error {
  static override name = 'HttpError';
  override name = 'HttpError';
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: HttpErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** ERROR_STATUS is the HTTP status of each ServiceError code. */
export const ERROR_STATUS: Readonly<Record<ServiceErrorCode, number>> = {
  'invalid-request': 400,
  'invalid-text': 400,
  'invalid-version': 400,
  'invalid-name': 400,
  'invalid-invite': 400,
  'invalid-member': 400,
  'invalid-range': 400,
  'invalid-format': 400,
  'not-found': 404,
  'conflict': 409,
  'notebook-exists': 409,
  'no-notebook': 409,
  'not-leader': 409,
  'last-voter': 409,
  'config-change-pending': 409,
  'transferring': 409,
  'removed': 409,
  'not-removed': 409,
  'no-majority': 503,
  'storage-failed': 503,
  'behind': 503,
  'lab-off': 403,
};

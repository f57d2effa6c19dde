// ApiError is an expected failure of a local API request: a status, a stable
// code, and a message that tells the user what to do.

/** ApiError is answered as JSON `{ error: code, message }` with its status. */
export class ApiError extends Error {
  static override name = 'ApiError';
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** Extra fields of the answer, e.g. the current note of a conflict. */
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

// Errors the core throws. Expected outcomes are values (ProposeResult); these
// are thrown only when an invariant is broken, by a caller or by the core itself.

/** RaftInvariantError says a rule the core relies on was broken; the message names it. */
export class RaftInvariantError extends Error {
  static override name = 'RaftInvariantError';
  override name = 'RaftInvariantError';
}

/** invariant throws a RaftInvariantError with `message` unless `condition` holds. */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new RaftInvariantError(typeof message === 'string' ? message : message());
  }
}

// Backoff: the delays of a redial loop that never gives up. Each failure
// doubles the delay, from `minMs` up to `maxMs`, where it stays; each delay is
// jittered by ±20% so that peers restarted together do not dial in step.

/** BackoffInit configures a Backoff. */
export interface BackoffInit {
  minMs: number;
  maxMs: number;
  /** [0, 1); default Math.random. */
  random?: () => number;
}

/** Backoff computes redial delays. */
export class Backoff {
  private readonly init: BackoffInit;
  // Invariant: attempts >= 0; the next delay is about min(maxMs, minMs * 2^attempts).
  private attempts = 0;

  constructor(init: BackoffInit) {
    this.init = init;
  }

  /** next returns the delay before the next attempt and counts one failure. */
  next(): number {
    const { minMs, maxMs } = this.init;
    const base = Math.min(maxMs, minMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    const jitter = 0.8 + 0.4 * (this.init.random ?? Math.random)();
    return Math.round(Math.min(maxMs, base * jitter));
  }

  /** reset starts again from `minMs`, after a success. */
  reset(): void {
    this.attempts = 0;
  }
}

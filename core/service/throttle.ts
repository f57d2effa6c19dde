// Throttle sends a signal at once, then at most once per period: a change in
// the middle of a period is sent at its end, however many there were. The
// running notebook's `status` and `notes` events go through one each, so a
// burst of commits costs every page at most one whole picture per period.

/** Throttle calls `send` for the first `signal()` at once and for the later ones at most once per `periodMs`. */
export class Throttle {
  private readonly send: () => void;
  private readonly periodMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** Whether a signal came during the current period. */
  private pending = false;

  constructor(periodMs: number, send: () => void) {
    this.periodMs = periodMs;
    this.send = send;
  }

  /** signal says something changed. */
  signal(): void {
    if (this.timer !== null) {
      this.pending = true;
      return;
    }
    this.send();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pending) {
        this.pending = false;
        this.signal();
      }
    }, this.periodMs);
  }

  /** stop sends nothing more. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = false;
  }
}

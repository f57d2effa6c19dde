// Recorder holds a run's history as it happens, on one monotonic clock, and
// writes it as JSON lines (one event a line, history.ts) for a later check.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { HistoryEvent } from '../checker/history.ts';

/** Recorder is the history of one run, in memory. */
export class Recorder {
  readonly events: HistoryEvent[] = [];
  private readonly t0 = performance.now();

  /** now is the time since the run started, in milliseconds (to the hundredth). */
  now(): number {
    return Math.round((performance.now() - this.t0) * 100) / 100;
  }

  record(event: HistoryEvent): void {
    this.events.push(event);
  }

  /** write saves the history as JSON lines, a line at a time (a long run's history does not fit in one string). */
  async write(path: string): Promise<void> {
    const out = createWriteStream(path);
    for (const event of this.events) {
      if (!out.write(JSON.stringify(event) + '\n')) await once(out, 'drain');
    }
    out.end();
    await finished(out);
  }
}

/** readHistory parses a history file written by Recorder.write. */
export function parseHistory(text: string): HistoryEvent[] {
  return text.split('\n').filter((line) => line.trim().length > 0).map((line, i) => {
    try {
      return JSON.parse(line) as HistoryEvent;
    } catch {
      throw new Error(`line ${i + 1} of the history is not JSON: ${line.slice(0, 80)}`);
    }
  });
}

// A burst of writes (a team pasting in a few thousand notes, a peer catching
// up on a big notebook) leaves a peer holding far more memory than it uses:
// after 200,000 notes, about 250 MiB resident with V8's default settings (170
// MiB with those below), of which some 60 MiB is live.
// V8 gives it back by itself only when its memory reducer sees a low
// allocation rate, which it checks every 8 s: here that took 30 s to more than
// a minute, and a follower that answers the leader's messages can stay
// "busy" for longer. A notes app mostly sits idle on a laptop, so once the
// document has been quiet for a moment after the resident memory grew by a
// good deal, the peer runs V8's memory-reducing full collection itself
// (heap compacted, young generation shrunk, free pages returned): about 160
// MiB remain, for a pause of 45-150 ms that no write is waiting on.
//
// Under load, two V8 settings bound how far the heap swells before that
// (bench/results/design.md, "Memory as the last write is acknowledged"): the
// old generation may grow to twice what was live at its last full collection
// instead of up to four times, and the young generation is half the size.
// Together they cost no writes per second that three alternating pairs at 1,
// 16 and 64 in flight could tell from this machine's noise; the leader spends
// about 40% longer in GC pauses (2.0 s against 1.45 s over 30 s at 64, one
// run each).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** HEAP_GROWING_PERCENT is how far past what was live at its last full collection the old generation may grow before the next one. */
export const HEAP_GROWING_PERCENT = 100;
/**
 * SEMI_SPACE_MIB is the size of each half of the young generation (Node 22's
 * default: 16). It is fixed when a heap is made, so it is set there: on the
 * command line of `raftnotes serve` (bin/raftnotes.js, which must say the
 * same), and as the worker's young generation in the desktop app (three
 * semi-spaces: YOUNG_GENERATION_MIB).
 */
export const SEMI_SPACE_MIB = 8;
/** YOUNG_GENERATION_MIB is a worker thread's `resourceLimits.maxYoungGenerationSizeMb` for SEMI_SPACE_MIB (V8 counts three semi-spaces). */
export const YOUNG_GENERATION_MIB = 3 * SEMI_SPACE_MIB;

/** limitHeapGrowth sets HEAP_GROWING_PERCENT for every heap of the process; V8 reads it at each full collection. */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** QUIET_MS is how long the document stays unchanged before memory is given back. */
export const QUIET_MS = 2_000;
/** GROWTH_BYTES is how much the resident memory must have grown since the last release (or the start) for another one. */
export const GROWTH_BYTES = 32 * 1024 * 1024;

/** MemoryReleaseInit can replace what the release reads and does (tests do). */
export interface MemoryReleaseInit {
  quietMs?: number;
  growthBytes?: number;
  /** The process's resident memory in bytes. */
  rss?: () => number;
  /** Runs the memory-reducing full collection. */
  collect?: () => void;
}

/**
 * releaseMemoryWhenQuiet watches `changes` (an event target whose `event`
 * fires at each change of the document) and gives memory back once it has
 * been quiet for `quietMs` after the resident memory grew by `growthBytes`.
 * The result stops watching.
 */
export function releaseMemoryWhenQuiet(changes: EventTarget, event: string, init: MemoryReleaseInit = {}): () => void {
  const quietMs = init.quietMs ?? QUIET_MS;
  const growthBytes = init.growthBytes ?? GROWTH_BYTES;
  const rss = init.rss ?? (() => process.memoryUsage.rss());
  let collect = init.collect ?? null;
  let baseline = rss();
  const check = () => {
    const now = rss();
    if (now - baseline < growthBytes) {
      baseline = Math.min(baseline, now);
      return;
    }
    collect ??= fullCollection();
    collect();
    baseline = rss();
  };
  // One timer, pushed back by each change: refresh() costs less than a new timer at thousands of changes a
  // second, and re-arms a timer that already fired.
  let timer: NodeJS.Timeout | null = null;
  const onChange = () => {
    if (timer !== null) {
      timer.refresh();
      return;
    }
    timer = setTimeout(check, quietMs);
    timer.unref();
  };
  changes.addEventListener(event, onChange);
  return () => {
    changes.removeEventListener(event, onChange);
    if (timer !== null) clearTimeout(timer);
  };
}

/**
 * fullCollection is V8's memory-reducing full collection (the one its memory
 * reducer and a low-memory notification run). Node exposes it as `gc()` only
 * under --expose-gc; the flag is set here and the function read from a new
 * context, where V8 installs it (the way Jest's --logHeapUsage and the
 * `expose-gc` package reach it), so a peer needs no flag on its command line.
 */
export function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
  return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

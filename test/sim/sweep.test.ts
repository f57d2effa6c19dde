// The randomized safety sweep, a bounded number of seeds per CI run (more with
// `npm run sim -- --seeds N`). Each seed: random faults with every invariant
// checked after every tick, then healing and a liveness check.

import { describe, expect, it } from 'vitest';
import { runSweep, runSweepOrExplain } from './sweep.ts';

const SEEDS = 100;
const cases = [3, 5].flatMap((nodes) =>
  Array.from({ length: SEEDS }, (_, i) => ({ seed: i + 1, nodes: nodes as 3 | 5 })));

describe('Safety sweep', () => {
  it('replays a run exactly from its seed', () => {
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    const ra = run(7, a);
    const rb = run(7, b);
    run(8, c);
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
    expect(rb).toEqual(ra);
    expect(c).not.toEqual(a);

    function run(seed: number, lines: string[]): unknown {
      try {
        return runSweep({ seed, nodes: 3, faultTicks: 400, log: (l) => lines.push(l) });
      } catch (err) {
        lines.push(`failed: ${(err as Error).message}`);
        return null;
      }
    }
  });

  it.each(cases)('keeps every invariant and recovers under random faults (seed $seed, $nodes nodes)', ({ seed, nodes }) => {
    const r = runSweepOrExplain({ seed, nodes });
    expect(r.faults).toBeGreaterThan(10);
    expect(r.committed).toBeGreaterThan(0);
  });
});

// The randomized safety sweep, a bounded number of seeds per CI run (more with
// `npm run sim -- --seeds N`). Each seed: random faults with every invariant
// checked after every tick, then healing and a liveness check.

import { describe, expect, it } from 'vitest';
import { runSweep, runSweepOrExplain } from './sweep.ts';

const SEEDS = 100;
const cases = [3, 5].flatMap((nodes) =>
  Array.from({ length: SEEDS }, (_, i) => ({ seed: i + 1, nodes: nodes as 3 | 5 })));

describe('Safety sweep', () => {
  it('replays a run exactly from its seed', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    const ra = await run(7, a);
    const rb = await run(7, b);
    await run(8, c);
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
    expect(rb).toEqual(ra);
    expect(c).not.toEqual(a);

    async function run(seed: number, lines: string[]): Promise<unknown> {
      try {
        return await runSweep({ seed, nodes: 3, faultTicks: 400, log: (l) => lines.push(l) });
      } catch (err) {
        lines.push(`failed: ${(err as Error).message}`);
        return null;
      }
    }
  });

  it.each(cases)('keeps every invariant and recovers under random faults (seed $seed, $nodes nodes)', async ({ seed, nodes }) => {
    const r = await runSweepOrExplain({ seed, nodes });
    expect(r.faults).toBeGreaterThan(10);
    expect(r.committed).toBeGreaterThan(0);
  });
});

// The randomized safety sweep from the command line: many seeds of random faults
// against the Raft core, invariants checked after every tick, liveness after
// healing. Prints the seed of every failure and how to replay it.
//
//   npm run sim -- --seeds 500 [--start 1] [--nodes 3|5] [--ticks 1500] [--compact N]
//   npm run sim -- --seed 42 --nodes 5          # replay one seed, printing every fault
//   npm run sim -- --seeds 20 --disk            # every node on a DiskStorage in a temp directory
//
// Exit code 0 when every seed passed, 1 when one failed, 2 on bad arguments.

import { parseArgs } from 'node:util';
import { replayCommand, runSweep, runSweepOrExplain, type SweepResult } from '../test/sim/sweep.ts';

const usage = `usage: npm run sim -- [--seeds N] [--start S] [--nodes 3|5] [--ticks T] [--compact N] [--disk [--segment-bytes B]]
       npm run sim -- --seed S [--nodes 3|5] [--ticks T] [--compact N] [--disk [--segment-bytes B]]
  --seeds N   how many seeds to run (default 100), from --start (default 1)
  --nodes     cluster size; without it every seed runs with 3 and with 5 nodes
  --ticks T   ticks of faults before healing (default 1500)
  --compact N compact every N applied entries instead of what the seed draws (0: never)
  --seed S    replay one seed and print each fault as it is injected
  --disk      keep every node's state in a DiskStorage in a temporary directory, and
              restart crashed nodes from it; the run takes the same course as in memory
  --segment-bytes B  the DiskStorage's segment size (default 64 KiB, at least 4096)`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} wants a whole number, got ${JSON.stringify(value)}`);
  return n;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      start: { type: 'string' },
      nodes: { type: 'string' },
      ticks: { type: 'string' },
      compact: { type: 'string' },
      seed: { type: 'string' },
      disk: { type: 'boolean' },
      'segment-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help === true) {
  console.log(usage);
  process.exit(0);
}

const nodesArg = values.nodes as string | undefined;
if (nodesArg !== undefined && nodesArg !== '3' && nodesArg !== '5') fail('--nodes is 3 or 5');
const sizes: (3 | 5)[] = nodesArg === undefined ? [3, 5] : [Number(nodesArg) as 3 | 5];
const faultTicks = int(values.ticks as string | undefined, 'ticks', 1500);
const compactEvery = values.compact === undefined ? undefined : int(values.compact as string, 'compact', 0);
const disk = values.disk === true;
const segmentArg = values['segment-bytes'] as string | undefined;
if (segmentArg !== undefined && !disk) fail('--segment-bytes goes with --disk');
const segmentBytes = int(segmentArg, 'segment-bytes', 64 << 10);
if (segmentBytes < 4096) fail('--segment-bytes is at least 4096');
const extra = (compactEvery === undefined ? '' : ` --compact ${compactEvery}`) + (faultTicks === 1500 ? '' : ` --ticks ${faultTicks}`)
  + (segmentArg === undefined ? '' : ` --segment-bytes ${segmentBytes}`);
const runOptions = {
  faultTicks,
  ...(compactEvery === undefined ? {} : { compactEvery }),
  ...(disk ? { disk: { segmentBytes } } : {}),
};

if (values.seed !== undefined) {
  // Replay: one seed, every fault printed as it happens.
  const seed = int(values.seed as string, 'seed', 0);
  let failed = false;
  for (const nodes of sizes) {
    console.log(`seed ${seed}, ${nodes} nodes, ${faultTicks} fault ticks${disk ? ', DiskStorage' : ''}`);
    try {
      const r = await runSweep({ seed, nodes, ...runOptions, log: (line) => console.log(`  ${line}`) });
      console.log(`ok: ${summary(r)}`);
    } catch (err) {
      failed = true;
      console.log(`FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      console.log(`replay: ${replayCommand(seed, nodes, disk)}${extra}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

const count = int(values.seeds as string | undefined, 'seeds', 100);
const start = int(values.start as string | undefined, 'start', 1);
const failures: { seed: number; nodes: 3 | 5 }[] = [];
const began = performance.now();
let runs = 0;
for (let seed = start; seed < start + count; seed++) {
  for (const nodes of sizes) {
    runs++;
    try {
      await runSweepOrExplain({ seed, nodes, ...runOptions });
    } catch (err) {
      failures.push({ seed, nodes });
      console.log(`FAIL seed ${seed} (${nodes} nodes): ${(err as Error).message}${extra}\n`);
    }
  }
  if ((seed - start + 1) % 50 === 0) {
    console.log(`... ${seed - start + 1}/${count} seeds, ${failures.length} failed, ${Math.round((performance.now() - began) / 1000)} s`);
  }
}
const secs = ((performance.now() - began) / 1000).toFixed(1);
if (failures.length === 0) {
  console.log(`all ${runs} runs passed (seeds ${start}..${start + count - 1}, ${sizes.join(' and ')} nodes` +
    `${disk ? ', DiskStorage' : ''}, ${secs} s)`);
  process.exit(0);
}
console.log(`${failures.length} of ${runs} runs failed (${secs} s):`);
for (const f of failures) console.log(`  seed ${f.seed} (${f.nodes} nodes): ${replayCommand(f.seed, f.nodes, disk)}${extra}`);
process.exit(1);

function summary(r: SweepResult): string {
  const d = r.disk === undefined ? ''
    : `; DiskStorage: ${r.disk.saves} saves, ${r.disk.snapshots} with a snapshot, ${r.disk.reopens} reopens, ${r.disk.segments} segments`;
  return `${r.ticks} ticks, ${r.faults} faults, ${r.proposals} proposals, ${r.committed} committed, recovered in ${r.recoveryTicks} ticks${d}`;
}

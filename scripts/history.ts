// Checked histories from the command line: real peers, concurrent clients,
// faults, and the checker's verdicts (docs/history.md).
//
//   npm run history -- --seconds 90 --peers 5 --seed 7 [--faults kill,partition,...]
//   npm run history -- --check <dir>/history.jsonl      # check a kept history again
//
// Exit code 0 when every verdict passed, 1 when one failed (or the run could
// not be made), 2 on bad arguments.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ensureCliBundle } from './build-cli.ts';
import { checkHistory } from '../test/history/checker/check-history.ts';
import { FAULT_KINDS, type FaultKind } from '../test/history/checker/history.ts';
import { NETWORK_FAULTS } from '../test/history/runner/faults.ts';
import { namespaceProblem } from '../test/history/runner/network.ts';
import { parseHistory } from '../test/history/runner/recorder.ts';
import { DEFAULTS, runHistory } from '../test/history/runner/run-history.ts';
import { formatRun, summarize } from '../test/history/runner/summary.ts';

const usage = `usage: npm run history -- [--seconds N] [--peers 3|5] [--seed S] [--faults k1,k2,…] [--clients N]
                          [--snapshot-every N] [--max-active N] [--loopback] [--out DIR] [--keep]
       npm run history -- --check HISTORY.jsonl
  --seconds N        how long the clients and faults run before the heal (default 60)
  --peers 3|5        cluster size (default 3)
  --seed S           the seed of every random draw: faults, targets, clients' operations (default: from the clock)
  --faults list      of ${FAULT_KINDS.join(', ')} (default: all)
  --clients N        concurrent clients (default ${DEFAULTS.clients})
  --snapshot-every N the peers' --snapshot-every (default ${DEFAULTS.snapshotEvery})
  --max-active N     faults under way at once (default ${DEFAULTS.maxActive})
  --loopback         run on 127.0.0.1 even as root (no partition, bridge or netem)
  --out DIR          where a failing run's history and peer logs are kept (default ${DEFAULTS.outDir})
  --keep             keep them for a passing run too
  --check FILE       check a kept history.jsonl again and print the verdicts`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function int(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) fail(`--${name} wants a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      seconds: { type: 'string' }, peers: { type: 'string' }, seed: { type: 'string' }, faults: { type: 'string' },
      clients: { type: 'string' }, 'snapshot-every': { type: 'string' }, 'max-active': { type: 'string' },
      loopback: { type: 'boolean' }, out: { type: 'string' }, keep: { type: 'boolean' }, check: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values['help'] === true) {
  console.log(usage);
  process.exit(0);
}

if (typeof values['check'] === 'string') {
  const events = parseHistory(await readFile(values['check'], 'utf8'));
  const start = events.find((e) => e.type === 'start');
  const verdicts = checkHistory(events);
  const summary = summarize(start?.type === 'start' ? start : { seed: 0, peers: 0, seconds: 0, network: '?' }, events,
    new Map(Object.entries(countFaults(events)) as Array<[FaultKind, number]>), null);
  console.log(formatRun(summary, verdicts));
  process.exit(verdicts.every((v) => v.ok) ? 0 : 1);
}

const peers = int(values['peers'] as string | undefined, 'peers', 3, 3, 5);
if (peers !== 3 && peers !== 5) fail('--peers is 3 or 5');
const seed = int(values['seed'] as string | undefined, 'seed', Date.now() % 2 ** 32, 0, 2 ** 32 - 1);
let faults: FaultKind[] = [...FAULT_KINDS];
if (typeof values['faults'] === 'string') {
  faults = values['faults'].split(',').map((f) => f.trim()).filter(Boolean) as FaultKind[];
  const unknown = faults.filter((f) => !FAULT_KINDS.includes(f));
  if (unknown.length > 0) fail(`unknown fault kind ${unknown.join(', ')}`);
}
const problem = values['loopback'] === true ? 'asked for --loopback' : await namespaceProblem();
if (problem !== null) {
  const dropped = faults.filter((f) => NETWORK_FAULTS.includes(f));
  if (dropped.length > 0) console.warn(`running on 127.0.0.1 (${problem}): without ${dropped.join(', ')}`);
  faults = faults.filter((f) => !NETWORK_FAULTS.includes(f));
}

// Peers run bin/raftnotes.js, which runs the sources (slowly) when the bundle is older than them.
await ensureCliBundle();
console.log(`seed ${seed}`);
try {
  const result = await runHistory({
    ...DEFAULTS,
    seconds: int(values['seconds'] as string | undefined, 'seconds', 60, 5, 24 * 3600),
    peers, seed, faults,
    network: problem === null ? 'namespaces' : 'loopback',
    clients: int(values['clients'] as string | undefined, 'clients', DEFAULTS.clients, 1, 100),
    snapshotEvery: int(values['snapshot-every'] as string | undefined, 'snapshot-every', DEFAULTS.snapshotEvery, 10, 1_000_000),
    maxActive: int(values['max-active'] as string | undefined, 'max-active', DEFAULTS.maxActive, 1, 8),
    ...(typeof values['out'] === 'string' ? { outDir: values['out'] } : {}),
    keep: values['keep'] === true,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  console.log(formatRun(result.summary, result.verdicts));
  if (result.dir !== null) console.log(`history and peer logs kept in ${result.dir}`);
  const passed = result.verdicts.every((v) => v.ok);
  if (!passed) console.log(`replay the same draws with: npm run history -- --seconds ${result.summary.seconds} --peers ${peers} --seed ${seed} --faults ${faults.join(',')}`);
  process.exit(passed ? 0 : 1);
} catch (error) {
  console.error(`the run failed: ${(error as Error).stack}`);
  process.exit(1);
}

function countFaults(events: ReturnType<typeof parseHistory>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) if (e.type === 'fault') counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return counts;
}

// A short checked history in the test command: 3 real peers in network
// namespaces, 10 clients, 45 s of every kind of fault, the heal, and every
// verdict of the checker (docs/history.md). Needs root for the namespaces;
// skipped with the reason otherwise. Long runs: `npm run history`.
//
// The seed is fixed so the same draws come every time (the timing still
// varies); RAFTNOTES_HISTORY_SEED picks another.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './checker/history.ts';
import { namespaceProblem } from './runner/network.ts';
import { DEFAULTS, runHistory } from './runner/run-history.ts';
import { formatRun } from './runner/summary.ts';

const problem = await namespaceProblem();
if (problem !== null) console.warn(`test/history/history.test.ts is skipped: ${problem}.`);

const SEED = Number(process.env['RAFTNOTES_HISTORY_SEED'] ?? 11);

describe.skipIf(problem !== null)('HistoryRun', () => {
  it('keeps every verdict through 45 s of kills, pauses, isolations, partitions, bridges, netem, transfers and membership changes', async () => {
    const result = await runHistory({ ...DEFAULTS, seconds: 45, peers: 3, seed: SEED, faults: [...FAULT_KINDS], network: 'namespaces' });
    const report = `${formatRun(result.summary, result.verdicts)}${result.dir !== null ? `\nhistory and peer logs kept in ${result.dir}` : ''}`;
    expect(result.verdicts.filter((v) => !v.ok).map((v) => v.name), report).toEqual([]);
    expect(result.verdicts).toHaveLength(12);
    // The run did what it is for: every kind of fault, every kind of operation acknowledged, and one end state.
    expect(Object.keys(result.summary.faults).sort(), report).toEqual([...FAULT_KINDS].sort());
    for (const kind of ['add', 'edit', 'delete', 'read']) expect(result.summary.kinds[kind]?.ok, `${kind}s acknowledged\n${report}`).toBeGreaterThan(0);
    expect(result.summary.convergeMs, report).not.toBeNull();
  }, 180_000);
});

// The figures of a run (operations by outcome and kind, faults by kind, time
// to converge after the heal) and how a run is printed.
import type { FaultKind, HistoryEvent, Outcome } from '../checker/history.ts';
import type { Verdict } from '../checker/verdicts.ts';

/** RunSummary is what a run reports besides its verdicts. */
export interface RunSummary {
  seed: number;
  peers: number;
  seconds: number;
  network: string;
  invoked: number;
  outcomes: Record<Outcome, number>;
  /** Operations by kind, then outcome. */
  kinds: Record<string, Record<Outcome, number>>;
  faults: Partial<Record<FaultKind, number>>;
  /** From the heal to every member agreeing, in ms; null when they did not. */
  convergeMs: number | null;
  /** Why the run itself failed (not a verdict: the cluster could not be formed, …), or null. */
  error: string | null;
}

/** summarize counts a run's operations and faults. */
export function summarize(options: { seed: number; peers: number; seconds: number; network: string },
  events: readonly HistoryEvent[], faults: ReadonlyMap<FaultKind, number>, error: Error | null): RunSummary {
  const zero = (): Record<Outcome, number> => ({ ok: 0, pending: 0, failed: 0, indeterminate: 0 });
  const outcomes = zero();
  const kinds: Record<string, Record<Outcome, number>> = {};
  let invoked = 0;
  let convergeMs: number | null = null;
  for (const e of events) {
    if (e.type === 'op') {
      invoked++;
      outcomes[e.outcome]++;
      (kinds[e.kind] ??= zero())[e.outcome]++;
    }
    if (e.type === 'final' && e.convergedAt !== null) convergeMs = Math.round(e.convergedAt - e.healedAt);
  }
  return { seed: options.seed, peers: options.peers, seconds: options.seconds, network: options.network, invoked, outcomes, kinds,
    faults: Object.fromEntries(faults), convergeMs, error: error?.message ?? null };
}

/** formatRun prints a run's figures and every verdict. */
export function formatRun(summary: RunSummary, verdicts: readonly Verdict[]): string {
  const o = summary.outcomes;
  const lines = [
    `seed ${summary.seed}, ${summary.peers} peers, ${summary.seconds} s, ${summary.network}`,
    `operations invoked: ${summary.invoked} (ok ${o.ok}, pending ${o.pending}, failed ${o.failed}, indeterminate ${o.indeterminate})`,
    ...Object.entries(summary.kinds).map(([k, c]) => `  ${k}: ok ${c.ok}, pending ${c.pending}, failed ${c.failed}, indeterminate ${c.indeterminate}`),
    `faults: ${Object.entries(summary.faults).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
    `converged after the last heal: ${summary.convergeMs === null ? 'no' : `${summary.convergeMs} ms`}`,
  ];
  if (summary.error !== null) lines.push(`run failed: ${summary.error}`);
  for (const v of verdicts) {
    lines.push(`${v.ok ? 'PASS' : 'FAIL'} ${v.name}: ${v.ok ? v.claim : `${v.count} violation(s)`}`);
    for (const e of v.examples) lines.push(`     ${e}`);
  }
  return lines.join('\n');
}

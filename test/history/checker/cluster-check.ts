// The checks of the peers themselves: what each reported of its role, term
// and commit point while the run went on (one leader per term; term and
// commit index never go back within one process), how their processes ended,
// and whether every member holds the same state after the heal.
import type { ExitEvent, FinalEvent, StatusEvent } from './history.ts';
import type { Findings } from './verdicts.ts';

/** checkLeaders finds terms with two leaders: two peers that said they led, or named different leaders. */
export function checkLeaders(statuses: StatusEvent[], findings: Findings): void {
  const leaders = new Map<number, Map<string, string>>(); // term -> leader id -> who said so
  for (const s of statuses) {
    const claims: Array<[string, string]> = [];
    if (s.role === 'leader') claims.push([s.peerId, `${s.peer} led it at ${s.at} ms`]);
    if (s.leaderId !== null) claims.push([s.leaderId, `${s.peer} named it leader at ${s.at} ms`]);
    for (const [leader, said] of claims) {
      const known = leaders.get(s.term) ?? new Map<string, string>();
      if (!known.has(leader)) {
        known.set(leader, said);
        leaders.set(s.term, known);
        if (known.size === 2) findings.add('leaders-per-term', `term ${s.term} has two leaders: ${[...known].map(([id, how]) => `${id} (${how})`).join(' and ')}`);
      }
    }
  }
}

/** checkMonotonic finds a process whose term or commit index went back. */
export function checkMonotonic(statuses: StatusEvent[], findings: Findings): void {
  const last = new Map<number, StatusEvent>();
  for (const s of statuses) {
    const before = last.get(s.process);
    if (before !== undefined) {
      if (s.term < before.term) findings.add('term-went-back', `${s.peer} (process ${s.process}): term ${before.term} at ${before.at} ms, then ${s.term} at ${s.at} ms`);
      if (s.commitIndex < before.commitIndex) findings.add('commit-went-back', `${s.peer} (process ${s.process}): commit index ${before.commitIndex} at ${before.at} ms, then ${s.commitIndex} at ${s.at} ms`);
    }
    last.set(s.process, s);
  }
}

/** checkExits finds peer processes that ended without the runner ending them. */
export function checkExits(exits: ExitEvent[], findings: Findings): void {
  for (const e of exits) {
    if (!e.expected) findings.add('unexpected-exit', `${e.peer} (process ${e.process}) exited at ${e.at} ms with ${e.signal ?? `code ${e.code}`}`);
  }
}

/** checkConverged finds members that do not hold one state after the heal. */
export function checkConverged(final: FinalEvent | null, findings: Findings): void {
  if (final === null) {
    findings.add('divergent', 'the run recorded no end state');
    return;
  }
  if (final.convergedAt === null) findings.add('divergent', `the members did not agree after the heal at ${final.healedAt} ms`);
  const [first, ...rest] = final.peers;
  if (first === undefined) {
    findings.add('divergent', 'no member answered at the end');
    return;
  }
  for (const p of final.peers) {
    if (p.pending.length > 0) findings.add('divergent', `${p.peer} still has ${p.pending.length} requests pending, e.g. ${p.pending[0]!.join(' ')}`);
    if (p.commitIndex !== p.lastIndex) findings.add('divergent', `${p.peer} has uncommitted entries: commit index ${p.commitIndex}, last index ${p.lastIndex}`);
  }
  const entries = new Map(first.log.map((e) => [e[0], e]));
  for (const p of rest) {
    if (p.commitIndex !== first.commitIndex) findings.add('divergent', `${p.peer} ends at commit index ${p.commitIndex}, ${first.peer} at ${first.commitIndex}`);
    const notesA = JSON.stringify(first.notes);
    const notesB = JSON.stringify(p.notes);
    if (notesA !== notesB) {
      const i = first.notes.findIndex((n, k) => JSON.stringify(n) !== JSON.stringify(p.notes[k]));
      const at = i === -1 ? first.notes.length : i;
      findings.add('divergent', `${p.peer}'s notes differ from ${first.peer}'s at position ${at}: ${JSON.stringify(p.notes[at] ?? null)} against ${JSON.stringify(first.notes[at] ?? null)}`);
    }
    for (const e of p.log) {
      const other = entries.get(e[0]);
      if (other !== undefined && JSON.stringify(other) !== JSON.stringify(e)) {
        findings.add('divergent', `entry ${e[0]} differs: ${p.peer} holds ${JSON.stringify(e)}, ${first.peer} ${JSON.stringify(other)}`);
        break;
      }
    }
  }
}

// checkHistory: a recorded history in, every verdict out. A pure function of
// the events (history.ts), so a kept history can be checked again anywhere.
import { checkConverged, checkExits, checkLeaders, checkMonotonic } from './cluster-check.ts';
import type { DiscardEvent, ExitEvent, FinalEvent, HistoryEvent, OpEvent, StatusEvent } from './history.ts';
import { checkNotes } from './notes-check.ts';
import { checkOrder } from './order-check.ts';
import { Findings, type Verdict } from './verdicts.ts';

/** checkHistory returns every verdict of the history, passed or not. */
export function checkHistory(events: readonly HistoryEvent[]): Verdict[] {
  const ops: OpEvent[] = [];
  const statuses: StatusEvent[] = [];
  const exits: ExitEvent[] = [];
  const discarded = new Set<string>();
  let final: FinalEvent | null = null;
  for (const e of events) {
    if (e.type === 'op') ops.push(e);
    else if (e.type === 'status') statuses.push(e);
    else if (e.type === 'exit') exits.push(e);
    else if (e.type === 'discard') discarded.add((e as DiscardEvent).peerId);
    else if (e.type === 'final') final = e;
  }
  const findings = new Findings();
  checkNotes({ ops, final, discarded }, findings);
  checkOrder(ops, findings);
  checkLeaders(statuses, findings);
  checkMonotonic(statuses, findings);
  checkConverged(final, findings);
  checkExits(exits, findings);
  return findings.verdicts();
}

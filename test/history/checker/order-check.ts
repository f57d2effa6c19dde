// Real-time order: an add acknowledged before another add was invoked holds
// a lower log index than it (linearizability of the log's order), and an edit
// of a note acknowledged before another edit of it was invoked holds a lower
// version. Checked by one sweep per chain: operations by invoke time, with the
// highest place among those completed before each one was invoked.
import { noteId, type OpEvent } from './history.ts';
import type { Findings } from './verdicts.ts';

interface Placed {
  op: OpEvent;
  /** The place the answer gave: a log index, or a version. */
  place: number;
}

/** checkOrder adds real-time order violations to `findings`. */
export function checkOrder(ops: OpEvent[], findings: Findings): void {
  const adds: Placed[] = [];
  const edits = new Map<number, Placed[]>();
  for (const op of ops) {
    if (op.outcome !== 'ok') continue;
    if (op.kind === 'add' && op.note !== undefined) adds.push({ op, place: op.note[0] });
    if (op.kind === 'edit' && op.note !== undefined) edits.set(op.seq, [...(edits.get(op.seq) ?? []), { op, place: op.note[1] }]);
  }
  sweep(adds, (a, b) => `client ${a.op.client}'s add acknowledged at ${a.op.complete} ms sits at index ${a.place}, after client ${b.op.client}'s add invoked at ${b.op.invoke} ms at index ${b.place}`, findings);
  for (const [seq, chain] of edits) {
    sweep(chain, (a, b) => `note ${noteId(seq)}: client ${a.op.client}'s edit acknowledged at ${a.op.complete} ms made v${a.place}, client ${b.op.client}'s invoked later (${b.op.invoke} ms) made v${b.place}`, findings);
  }
}

/** sweep finds each operation placed at or below one that completed before it was invoked. */
function sweep(placed: Placed[], describe: (earlier: Placed, later: Placed) => string, findings: Findings): void {
  const byComplete = [...placed].sort((a, b) => a.op.complete - b.op.complete);
  const byInvoke = [...placed].sort((a, b) => a.op.invoke - b.op.invoke);
  let highest: Placed | null = null;
  let next = 0;
  for (const later of byInvoke) {
    while (next < byComplete.length && byComplete[next]!.op.complete < later.op.invoke) {
      const done = byComplete[next++]!;
      if (highest === null || done.place > highest.place) highest = done;
    }
    if (highest !== null && highest.place >= later.place) findings.add('reordered', describe(highest, later));
  }
}

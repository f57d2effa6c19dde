// The checker's own tests: a correct history passes every verdict, and each
// broken history (one fault made by hand) fails exactly the verdicts it breaks.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check-history.ts';
import type { FinalEvent, HistoryEvent, ObservedNote, OpEvent, PeerFinal, StatusEvent } from './history.ts';
import type { VerdictName } from './verdicts.ts';

const A = 'peer-a';
const B = 'peer-b';
const C = 'peer-c';

function op(fields: Partial<OpEvent> & Pick<OpEvent, 'kind' | 'client' | 'invoke' | 'complete' | 'outcome'> & Record<string, unknown>): OpEvent {
  return { type: 'op', peer: 'A', peerId: A, status: 200, ...fields } as OpEvent;
}

function status(peer: string, peerId: string, process: number, at: number, role: string, term: number, leaderId: string | null, commitIndex: number): StatusEvent {
  return { type: 'status', peer, peerId, process, at, role, term, leaderId, commitIndex };
}

const END_NOTES: ObservedNote[] = [[3, 2, 'a:1.1 e:1.2'], [4, 1, 'a:2.1'], [7, 1, 'a:3.1']];
const LOG: PeerFinal['log'] = [[6, 2, 'note', 'delete n5'], [7, 2, 'note', 'add a:3.1'], [8, 3, 'noop', '']];

function final(notes: ObservedNote[] = END_NOTES, others: Partial<PeerFinal> = {}): FinalEvent {
  const peer = (name: string, peerId: string): PeerFinal => ({ peer: name, peerId, commitIndex: 8, lastIndex: 8, notes, pending: [], log: LOG });
  return { type: 'final', healedAt: 3_000, convergedAt: 3_400, peers: [peer('A', A), peer('B', B), { ...peer('C', C), ...others }] };
}

/** correct is a small history of every kind of event in which nothing is wrong. */
function correct(): HistoryEvent[] {
  return [
    { type: 'start', seed: 1, peers: 3, seconds: 5, faults: ['kill'], clients: 3, network: 'loopback' },
    op({ kind: 'add', client: 1, invoke: 0, complete: 10, outcome: 'ok', status: 201, text: 'a:1.1', note: [3, 1, 'a:1.1'] }),
    op({ kind: 'add', client: 2, invoke: 20, complete: 30, outcome: 'ok', status: 201, text: 'a:2.1', note: [4, 1, 'a:2.1'] }),
    op({ kind: 'edit', client: 1, invoke: 40, complete: 50, outcome: 'ok', seq: 3, version: 1, text: 'a:1.1 e:1.2', note: [3, 2, 'a:1.1 e:1.2'] }),
    op({ kind: 'edit', client: 2, invoke: 45, complete: 55, outcome: 'failed', status: 409, seq: 3, version: 1, text: 'a:1.1 e:2.2' }),
    op({ kind: 'add', client: 3, invoke: 60, complete: 70, outcome: 'ok', status: 201, text: 'a:3.2', note: [5, 1, 'a:3.2'] }),
    op({ kind: 'delete', client: 1, invoke: 80, complete: 90, outcome: 'ok', seq: 5, version: 1 }),
    op({ kind: 'read', client: 2, invoke: 100, complete: 110, outcome: 'ok', notes: [[3, 2, 'a:1.1 e:1.2'], [4, 1, 'a:2.1']] }),
    op({ kind: 'add', client: 3, peer: 'B', peerId: B, invoke: 120, complete: 2_120, outcome: 'pending', status: 202, text: 'a:3.1' }),
    op({ kind: 'add', client: 2, peer: 'C', peerId: C, invoke: 130, complete: 5_130, outcome: 'indeterminate', status: 'timeout', text: 'a:2.3' }),
    op({ kind: 'add', client: 1, peer: 'C', peerId: C, invoke: 140, complete: 141, outcome: 'failed', status: 'ECONNREFUSED', text: 'a:1.3' }),
    status('A', A, 1, 5, 'leader', 2, A, 2),
    status('B', B, 2, 6, 'follower', 2, A, 2),
    status('A', A, 1, 60, 'leader', 2, A, 5),
    status('B', B, 2, 1_000, 'candidate', 3, null, 5),
    status('B', B, 2, 1_010, 'leader', 3, B, 6),
    status('A', A, 3, 1_500, 'follower', 3, B, 0), // a new process of A: its commit index starts again
    { type: 'fault', kind: 'kill', start: 900, end: 1_500, detail: 'killed A (leader), restarted' },
    { type: 'exit', peer: 'A', peerId: A, process: 1, at: 901, code: null, signal: 'SIGKILL', expected: true },
    final(),
  ];
}

/** broken verdicts of a history: the names that failed. */
function failing(events: HistoryEvent[]): VerdictName[] {
  return checkHistory(events).filter((v) => !v.ok).map((v) => v.name);
}

/** replaceFinal swaps the history's end state. */
function withFinal(events: HistoryEvent[], f: FinalEvent): HistoryEvent[] {
  return [...events.filter((e) => e.type !== 'final'), f];
}

describe('checkHistory', () => {
  it('passes a correct history on every verdict', () => {
    const verdicts = checkHistory(correct());
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(verdicts.map((v) => v.name)).toEqual(['lost', 'misplaced', 'duplicated', 'phantom', 'reordered', 'cas-chain', 'read-lost',
      'leaders-per-term', 'term-went-back', 'commit-went-back', 'divergent', 'unexpected-exit']);
  });

  it('catches an acknowledged add that is lost', () => {
    const events = withFinal(correct(), final(END_NOTES.filter((n) => n[2] !== 'a:2.1')));
    expect(failing(events)).toEqual(['lost', 'read-lost']);
    expect(checkHistory(events)[0]!.examples[0]).toMatch(/client 2's add "a:2.1", acknowledged as note n4/);
  });

  it('catches an acknowledged edit that is lost', () => {
    const events = withFinal(correct(), final([[3, 1, 'a:1.1'], [4, 1, 'a:2.1'], [7, 1, 'a:3.1']]));
    expect(failing(events)).toEqual(['lost', 'read-lost']);
  });

  it('catches a 202 add that never commits, unless its peer\'s outbox was thrown away', () => {
    const events = withFinal(correct(), final(END_NOTES.filter((n) => n[2] !== 'a:3.1')));
    expect(failing(events)).toEqual(['lost']);
    expect(failing([...events.slice(0, -1), { type: 'discard', peer: 'B', peerId: B, at: 2_500 }, events.at(-1)!])).toEqual([]);
  });

  it('catches an acknowledged delete that is undone', () => {
    const events = withFinal(correct(), final([...END_NOTES, [5, 1, 'a:3.2'] as ObservedNote].sort((x, y) => x[0] - y[0])));
    expect(failing(events)).toEqual(['lost']);
  });

  it('catches an add acknowledged at one place that ends at another', () => {
    const events = withFinal(correct(), final([[3, 2, 'a:1.1 e:1.2'], [7, 1, 'a:3.1'], [9, 1, 'a:2.1']]));
    expect(failing(events)).toEqual(['misplaced', 'duplicated', 'read-lost']);
  });

  it('catches a duplicated add, and an indeterminate add applied twice', () => {
    expect(failing(withFinal(correct(), final([...END_NOTES, [9, 1, 'a:3.1']])))).toEqual(['duplicated']);
    expect(failing(withFinal(correct(), final([...END_NOTES, [8, 1, 'a:2.3'], [9, 1, 'a:2.3']])))).toEqual(['duplicated']);
    // Once is fine for an indeterminate add.
    expect(failing(withFinal(correct(), final([...END_NOTES, [8, 1, 'a:2.3']])))).toEqual([]);
  });

  it('catches phantoms: a text no client wrote, a refused add, a refused edit', () => {
    expect(failing(withFinal(correct(), final([...END_NOTES, [9, 1, 'a:9.9']])))).toEqual(['phantom']);
    expect(failing(withFinal(correct(), final([...END_NOTES, [9, 1, 'a:1.3']])))).toEqual(['phantom']);
    const refusedEdit = withFinal(correct(), final([[3, 2, 'a:1.1 e:2.2'], [4, 1, 'a:2.1'], [7, 1, 'a:3.1']]));
    expect(failing(refusedEdit)).toEqual(['phantom']);
  });

  it('catches real-time order broken: an add invoked after another was acknowledged, placed before it', () => {
    const events = correct().map((e) => e.type === 'op' && e.kind === 'add' && e.text === 'a:2.1' ? { ...e, note: [2, 1, 'a:2.1'] as ObservedNote } : e);
    const f = final([[2, 1, 'a:2.1'], [3, 2, 'a:1.1 e:1.2'], [7, 1, 'a:3.1']]);
    const reads = withFinal(events, f).map((e) => e.type === 'op' && e.kind === 'read' ? { ...e, notes: [] } : e);
    expect(failing(reads)).toEqual(['reordered']);
  });

  it('catches a forked compare-and-swap chain: two edits acknowledged from the same version', () => {
    const fork = op({ kind: 'edit', client: 3, invoke: 42, complete: 52, outcome: 'ok', seq: 3, version: 1, text: 'a:1.1 e:3.9', note: [3, 2, 'a:1.1 e:3.9'] });
    const events = [...correct().slice(0, -1), fork, final()];
    expect(failing(events)).toEqual(['cas-chain']);
    expect(checkHistory(events).find((v) => v.name === 'cas-chain')!.examples[0]).toMatch(/two versions 2/);
  });

  it('catches an edit applied on another version than it named, and a version after a delete', () => {
    const skewed = withFinal(correct(), final([[3, 3, 'a:1.1 e:1.2'], [4, 1, 'a:2.1'], [7, 1, 'a:3.1']]));
    expect(failing(skewed)).toEqual(['cas-chain']);
    const afterDelete = [...correct().slice(0, -1),
      op({ kind: 'edit', client: 2, invoke: 95, complete: 99, outcome: 'indeterminate', status: 'timeout', seq: 5, version: 1, text: 'a:3.2 e:2.9' }),
      op({ kind: 'read', client: 3, invoke: 100, complete: 101, outcome: 'ok', notes: [[5, 2, 'a:3.2 e:2.9']] }), final()];
    expect(failing(afterDelete)).toEqual(['cas-chain', 'read-lost']); // the read's v2 is also not covered by the delete of v1
  });

  it('catches a committed note that a read saw and that is gone', () => {
    const events = [...correct().slice(0, -1), op({ kind: 'read', client: 1, invoke: 3_000, complete: 3_010, outcome: 'ok', notes: [[8, 1, 'a:2.3']] }), final()];
    expect(failing(events)).toEqual(['read-lost']);
  });

  it('catches a note a 409 answer showed as current that is gone', () => {
    const conflict = op({ kind: 'edit', client: 2, invoke: 3_000, complete: 3_010, outcome: 'failed', status: 409, seq: 8, version: 1, text: 'a:2.3 e:2.7', current: [8, 2, 'a:2.3 e:1.9'] });
    const wrote = op({ kind: 'edit', client: 1, invoke: 2_900, complete: 2_950, outcome: 'indeterminate', status: 'timeout', seq: 8, version: 1, text: 'a:2.3 e:1.9' });
    expect(failing([...correct().slice(0, -1), wrote, conflict, final()])).toEqual(['read-lost']);
    expect(failing([...correct().slice(0, -1), wrote, conflict, final([...END_NOTES, [8, 2, 'a:2.3 e:1.9']])])).toEqual([]);
  });

  it('catches two leaders in one term, by role or by the leader named', () => {
    expect(failing([...correct(), status('C', C, 4, 1_020, 'leader', 3, C, 6)])).toEqual(['leaders-per-term']);
    expect(failing([...correct(), status('C', C, 4, 1_020, 'follower', 2, C, 6)])).toEqual(['leaders-per-term']);
  });

  it('catches a term or a commit index that goes back within one process', () => {
    expect(failing([...correct(), status('B', B, 2, 1_100, 'follower', 2, A, 6)])).toEqual(['term-went-back']);
    expect(failing([...correct(), status('B', B, 2, 1_100, 'leader', 3, B, 4)])).toEqual(['commit-went-back']);
  });

  it('catches members that do not end identical, or did not agree', () => {
    expect(failing(withFinal(correct(), final(END_NOTES, { notes: END_NOTES.slice(0, 2), commitIndex: 6 })))).toEqual(['divergent']);
    expect(failing(withFinal(correct(), final(END_NOTES, { log: [[6, 2, 'note', 'delete n5'], [7, 3, 'note', 'add a:3.1']] })))).toEqual(['divergent']);
    expect(failing(withFinal(correct(), final(END_NOTES, { pending: [['add', 'a:2.3']] })))).toEqual(['divergent']);
    expect(failing(withFinal(correct(), { ...final(), convergedAt: null }))).toEqual(['divergent']);
    expect(failing(correct().filter((e) => e.type !== 'final'))).toEqual(['divergent']);
  });

  it('catches a peer that exited when nothing killed it', () => {
    expect(failing([...correct(), { type: 'exit', peer: 'B', peerId: B, process: 2, at: 2_000, code: 1, signal: null, expected: false }])).toEqual(['unexpected-exit']);
  });
});

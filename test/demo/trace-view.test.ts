// The dashboard's reading of trace batches: messages in words, dot kinds, thinning.
import { describe, expect, it } from 'vitest';
import type { TraceMessage } from '../../core/api/types.ts';
import { describeMessage, dotKind, THIN_MS, Thinner } from '../../renderer/src/demo/trace-view.ts';

const name = (id: string) => id.toUpperCase();
const msg = (m: Partial<TraceMessage>): TraceMessage => ({ at: 0, type: 'AppendEntries', from: 'a', to: 'b', term: 3, ...m });

describe('TraceView', () => {
  it('words each message as DESIGN.md §5 lists them', () => {
    expect(describeMessage(msg({ type: 'RequestVote', preVote: false }), name)).toBe('A → B RequestVote term 3');
    expect(describeMessage(msg({ type: 'RequestVote', preVote: true }), name)).toBe('A → B RequestVote (pre-vote) term 3');
    expect(describeMessage(msg({ type: 'RequestVoteResponse', from: 'b', to: 'a', granted: true, preVote: false }), name)).toBe('B → A vote granted term 3');
    expect(describeMessage(msg({ type: 'RequestVoteResponse', from: 'c', to: 'a', granted: false, preVote: false }), name)).toBe('C → A vote refused term 3');
    expect(describeMessage(msg({ entries: [15, 16], commit: 14 }), name)).toBe('A → B AppendEntries term 3, entries 15–16');
    expect(describeMessage(msg({ entries: [15, 15] }), name)).toBe('A → B AppendEntries term 3, entry 15');
    expect(describeMessage(msg({ entries: [] }), name)).toBe('A → B heartbeat term 3');
    expect(describeMessage(msg({ type: 'AppendEntriesResponse', from: 'b', to: 'a', success: true, match: 16 }), name)).toBe('B → A AppendEntries ok term 3, match 16');
    expect(describeMessage(msg({ type: 'AppendEntriesResponse', from: 'b', to: 'a', success: false, match: 0 }), name)).toBe('B → A AppendEntries refused term 3');
  });

  it('kinds a message by what it does', () => {
    expect(dotKind(msg({ entries: [] }))).toBe('heartbeat');
    expect(dotKind(msg({ entries: [1, 2] }))).toBe('append');
    expect(dotKind(msg({ type: 'RequestVoteResponse', granted: false }))).toBe('vote-refused');
  });

  it('thins heartbeats per link and direction, and never votes, entries or answers that move the match', () => {
    const t = new Thinner();
    expect(t.admit(msg({ entries: [] }), 0)).toBe(true);
    expect(t.admit(msg({ entries: [] }), 50)).toBe(false);
    expect(t.admit(msg({ entries: [], to: 'c' }), 50)).toBe(true);
    expect(t.admit(msg({ entries: [1, 1] }), 60)).toBe(true);
    expect(t.admit(msg({ type: 'RequestVote' }), 70)).toBe(true);
    expect(t.admit(msg({ type: 'RequestVote' }), 71)).toBe(true);
    expect(t.admit(msg({ type: 'AppendEntriesResponse', from: 'b', to: 'a', success: true, match: 1 }), 80)).toBe(true);
    expect(t.admit(msg({ type: 'AppendEntriesResponse', from: 'b', to: 'a', success: true, match: 1 }), 90)).toBe(false);
    expect(t.admit(msg({ type: 'AppendEntriesResponse', from: 'b', to: 'a', success: true, match: 2 }), 95)).toBe(true);
    expect(t.admit(msg({ entries: [] }), 71 + THIN_MS)).toBe(true);
    expect(t.skipped).toBe(2);
  });
});

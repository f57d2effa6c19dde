// The log as GET /api/log shows it: read from the Raft core's own log, paged by
// index, compacted indexes answered from the first index still held.
import { describe, expect, it } from 'vitest';
import { RaftNode, encodeMembership, type Entry } from '../raft/index.ts';
import { encodeCommand } from '../notes/index.ts';
import { entryView, logPage } from './log-view.ts';

const note = (index: number, term: number, text: string): Entry =>
  ({ index, term, kind: 'command', data: encodeCommand({ client: 'c', seq: index, author: 'Ada', at: 0, op: 'add', text }) });

/** leaderWith makes a one-voter node lead and commit `count` notes, persisting and applying each Ready. */
function leaderWith(count: number): RaftNode {
  const node = new RaftNode({ id: 'a', membership: { voters: ['a'], learners: [] }, electionTicks: 10, heartbeatTicks: 2, random: () => 0.5 });
  node.campaign();
  const drain = () => { while (node.hasReady()) node.advance(node.ready()); };
  drain();
  for (let i = 1; i <= count; i++) {
    node.propose(encodeCommand({ client: 'c', seq: i, author: 'Ada', at: 0, op: 'add', text: `n${i}` }));
    drain();
  }
  return node;
}

describe('logPage', () => {
  it('pages the core\'s log by index and limit, with its landmarks', () => {
    const node = leaderWith(5); // index 1 is the leader's no-op
    const page = logPage(node, 2, 2, 6);
    expect(page).toMatchObject({ firstIndex: 1, snapshotIndex: 0, commitIndex: 6, appliedIndex: 6, lastIndex: 6 });
    expect(page.entries.map((e) => [e.index, e.summary])).toEqual([[2, 'add "n1" by Ada'], [3, 'add "n2" by Ada']]);
    expect(logPage(node, 1, 1, 6).entries[0]!.kind).toBe('noop');
    expect(logPage(node, 7, 10, 6).entries).toEqual([]);
  });

  it('answers a compacted index from the first index still held', () => {
    const node = leaderWith(5);
    node.compact(4, new Uint8Array([1]));
    while (node.hasReady()) node.advance(node.ready());
    const page = logPage(node, 1, 100, 6);
    expect(page).toMatchObject({ firstIndex: 5, snapshotIndex: 4, lastIndex: 6 });
    expect(page.entries.map((e) => e.index)).toEqual([5, 6]);
  });
});

describe('entryView', () => {
  it('summarises notes, no-ops, memberships and unreadable entries', () => {
    expect(entryView(note(1, 1, 'hello'))).toEqual({ index: 1, term: 1, kind: 'note', summary: 'add "hello" by Ada' });
    expect(entryView({ index: 2, term: 1, kind: 'noop', data: new Uint8Array() }).kind).toBe('noop');
    expect(entryView({ index: 3, term: 1, kind: 'config', data: encodeMembership({ voters: ['a', 'b'], learners: ['c'] }) }).summary)
      .toBe('voters: a, b; learners: c');
    expect(entryView({ index: 4, term: 1, kind: 'command', data: new Uint8Array([1, 2]) }).kind).toBe('unreadable');
    expect(entryView(note(5, 1, 'x'.repeat(200))).summary.length).toBeLessThan(100);
  });
});

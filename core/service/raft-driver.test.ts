import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaftNode, type Message } from '../raft/index.ts';
import { MemoryStorage, type StorageBatch } from '../storage/index.ts';
import { RaftDriver } from './raft-driver.ts';

/** settle lets the driver's loop (setImmediate, then microtasks) run to the end; setImmediate is never faked here. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A driver of node `a` in a group a, b, c, recording saves and sends in the order they happen. */
function recorded() {
  const events: string[] = [];
  const sent: Message[] = [];
  const storage = new MemoryStorage();
  const save = storage.save.bind(storage);
  storage.save = (batch: StorageBatch) => {
    const parts = [batch.hardState !== null ? `hs(term ${batch.hardState.term}, vote ${batch.hardState.votedFor ?? '-'})` : '',
      batch.entries.length > 0 ? `entries ${batch.entries[0]!.index}-${batch.entries[batch.entries.length - 1]!.index}` : ''];
    events.push(`save ${parts.filter((p) => p !== '').join(' ')}`);
    return save(batch);
  };
  const node = new RaftNode({ id: 'a', membership: { voters: ['a', 'b', 'c'], learners: [] }, random: () => 0.5 });
  const driver = new RaftDriver({
    node, storage,
    send: (messages) => {
      for (const m of messages) events.push(`send ${m.type} to ${m.to}`);
      sent.push(...messages);
    },
    apply: () => {},
    onFatal: (error) => { throw error; },
  });
  return { events, sent, driver, node };
}

describe('RaftDriver', () => {
  afterEach(() => vi.useRealTimers());

  it('persists a new term and vote before sending, and sends a leader\'s entries before persisting them', async () => {
    const { events, sent, driver, node } = recorded();
    node.campaign();
    driver.kick();
    await settle();
    // Pre-vote: nothing to persist; then the election, whose term and vote are durable before the requests go.
    for (const from of ['b', 'c']) {
      const req = sent.find((m) => m.type === 'RequestVote' && m.to === from && m.preVote)!;
      driver.step({ type: 'RequestVoteResponse', from, to: 'a', term: req.term, voteGranted: true, preVote: true });
    }
    await settle();
    const election = events.findIndex((e) => e.startsWith('save hs(term 1, vote a)'));
    expect(election).toBeGreaterThanOrEqual(0);
    expect(events.slice(election + 1, election + 3)).toEqual(['send RequestVote to b', 'send RequestVote to c']);
    events.length = 0;
    driver.step({ type: 'RequestVoteResponse', from: 'b', to: 'a', term: 1, voteGranted: true, preVote: false });
    await settle();
    expect(node.status().role).toBe('leader');
    // The leader's noop: AppendEntries to both followers first, its own copy written meanwhile.
    expect(events.slice(0, 3)).toEqual(['send AppendEntries to b', 'send AppendEntries to c', 'save entries 1-1']);
    for (const from of ['b', 'c']) {
      driver.step({ type: 'AppendEntriesResponse', from, to: 'a', term: 1, success: true, matchIndex: 1, hintIndex: 0 });
    }
    await settle();
    events.length = 0;
    const proposed = driver.propose(new Uint8Array([1]));
    expect(proposed.ok).toBe(true);
    await settle();
    expect(events).toEqual(['send AppendEntries to b', 'send AppendEntries to c', 'save entries 2-2']);
    await driver.stop();
  });

  it('lets its messages reach the wire before it applies committed entries', async () => {
    const events: string[] = [];
    const node = new RaftNode({ id: 'b', membership: { voters: ['a', 'b', 'c'], learners: [] }, random: () => 0.5 });
    const driver = new RaftDriver({
      node, storage: new MemoryStorage(),
      // As the transport does: the bytes are written in a microtask after send().
      send: (messages) => queueMicrotask(() => events.push(...messages.map((m) => `written ${m.type}`))),
      apply: (rd) => { if (rd.committed.length > 0) events.push(`apply ${rd.committed.map((e) => e.index).join(',')}`); },
      onFatal: (error) => { throw error; },
    });
    const entry = (index: number) => ({ index, term: 1, kind: 'command' as const, data: new Uint8Array([index]) });
    driver.step({ type: 'AppendEntries', from: 'a', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [entry(1)], leaderCommit: 0, quiesce: false });
    await settle();
    events.length = 0;
    driver.step({ type: 'AppendEntries', from: 'a', to: 'b', term: 1, prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2)], leaderCommit: 1, quiesce: false });
    await settle();
    expect(events).toEqual(['written AppendEntriesResponse', 'apply 1']);
  });

  it('sleeps until the tick that does something, and makes the ticks it owes before each message', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { sent, driver } = recorded();
    const start = performance.now();
    driver.start();
    // A follower's only timeout is its election: 22 ticks with random() = 0.5, one timer for all of them.
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersToNextTimer();
    expect(performance.now() - start).toBe(220);
    await settle();
    expect(sent.filter((m) => m.type === 'RequestVote').map((m) => m.to)).toEqual(['b', 'c']);
    // A leader's heartbeat 100 ms into the next sleep restarts the count from there, as a 10 ms interval would.
    sent.length = 0;
    vi.advanceTimersByTime(100);
    driver.step({ type: 'AppendEntries', from: 'b', to: 'a', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, quiesce: false });
    await settle();
    const heard = performance.now();
    vi.advanceTimersByTime(219);
    await settle();
    expect(sent.filter((m) => m.type === 'RequestVote')).toEqual([]);
    vi.advanceTimersByTime(1);
    await settle();
    expect(performance.now() - heard).toBe(220);
    expect(sent.filter((m) => m.type === 'RequestVote').map((m) => m.to)).toEqual(['b', 'c']);
    await driver.stop();
  });

  it('holds AppendEntries without entries for two ticks, and drops one that later entries supersede', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { sent, driver, node } = recorded();
    driver.start();
    node.campaign();
    driver.kick();
    await settle();
    for (const from of ['b', 'c']) driver.step({ type: 'RequestVoteResponse', from, to: 'a', term: 0, voteGranted: true, preVote: true });
    await settle();
    driver.step({ type: 'RequestVoteResponse', from: 'b', to: 'a', term: 1, voteGranted: true, preVote: false });
    await settle();
    const appends = () => sent.filter((m): m is Extract<Message, { type: 'AppendEntries' }> => m.type === 'AppendEntries').splice(0);
    const taken = () => { const a = appends(); sent.length = 0; return a.map((m) => `${m.to}: ${m.entries.length} entries, commit ${m.leaderCommit}`); };
    taken();
    // The noop commits: the new commit index waits for the next tick...
    for (const from of ['b', 'c']) driver.step({ type: 'AppendEntriesResponse', from, to: 'a', term: 1, success: true, matchIndex: 1, hintIndex: 0 });
    await settle();
    expect(node.status().commitIndex).toBe(1);
    expect(taken()).toEqual([]);
    // ...and the next write's entries carry it instead.
    driver.propose(new Uint8Array([1]));
    await settle();
    expect(taken()).toEqual(['b: 1 entries, commit 1', 'c: 1 entries, commit 1']);
    vi.advanceTimersByTime(20);
    await settle();
    expect(taken()).toEqual([]);
    // With no write after it, the commit goes out at the second tick.
    for (const from of ['b', 'c']) driver.step({ type: 'AppendEntriesResponse', from, to: 'a', term: 1, success: true, matchIndex: 2, hintIndex: 0 });
    await settle();
    vi.advanceTimersByTime(10);
    expect(taken()).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(taken()).toEqual(['b: 0 entries, commit 2', 'c: 0 entries, commit 2']);
    await driver.stop();
  });

  it('announces each change of role, term, leader, commit index and membership once, and waitFor waits on them', async () => {
    const { sent, driver } = recorded();
    const changes: string[] = [];
    driver.addEventListener('change', ({ detail: { previous, current } }) => {
      changes.push(`${previous.role}/${previous.term} -> ${current.role}/${current.term} leader ${current.leaderId ?? '-'} commit ${current.commitIndex}`);
    });
    const leads = driver.waitFor((s) => s.role === 'leader', 5_000);
    const never = driver.waitFor((s) => s.term > 5, 50);
    driver.campaign();
    await settle();
    for (const from of ['b', 'c']) {
      const req = sent.find((m) => m.type === 'RequestVote' && m.to === from && m.preVote)!;
      driver.step({ type: 'RequestVoteResponse', from, to: 'a', term: req.term, voteGranted: true, preVote: true });
    }
    await settle();
    driver.step({ type: 'RequestVoteResponse', from: 'b', to: 'a', term: 1, voteGranted: true, preVote: false });
    await settle();
    expect(await leads).toBe(true);
    expect(await never).toBe(false);
    driver.step({ type: 'AppendEntriesResponse', from: 'b', to: 'a', term: 1, success: true, matchIndex: 1, hintIndex: 0 });
    await settle();
    expect(changes).toEqual([
      'follower/0 -> precandidate/0 leader - commit 0',
      'precandidate/0 -> candidate/1 leader - commit 0',
      'candidate/1 -> leader/1 leader a commit 0',
      'leader/1 -> leader/1 leader a commit 1',
    ]);
    const before = driver.softState.membership;
    expect(driver.changeMembership({ type: 'addLearner', id: 'd' }).ok).toBe(true);
    expect(driver.softState.membership).not.toBe(before);
    expect(driver.softState.membership.learners).toEqual(['d']);
    // Already true: waitFor answers at once.
    expect(await driver.waitFor((s) => s.role === 'leader', 0)).toBe(true);
    await driver.stop();
  });
});

// The core's hooks for the demo: reading the election timer, making it fire on
// a chosen tick (a provoked split vote), and turning PreVote and CheckQuorum
// off while running (classic Raft, the seeds' two-leader partition).
import { describe, expect, it } from 'vitest';
import { RaftNode, type Message, type RaftOptions } from './index.ts';

const VOTERS = ['n1', 'n2', 'n3'];

function newNode(id: string, options: Partial<RaftOptions> = {}): RaftNode {
  return new RaftNode({ id, membership: { voters: VOTERS, learners: [] }, electionTicks: 10, heartbeatTicks: 2, random: () => 0.5, ...options });
}

function drain(node: RaftNode): Message[] {
  const rd = node.ready();
  node.advance(rd);
  return rd.messages;
}

/** elect makes n1 leader of a three-voter group with n2's vote and returns it. */
function elect(options: Partial<RaftOptions> = {}): RaftNode {
  const n1 = newNode('n1', options);
  n1.campaign();
  for (const m of drain(n1)) {
    if (m.type === 'RequestVote' && m.to === 'n2') {
      n1.step({ type: 'RequestVoteResponse', from: 'n2', to: 'n1', term: m.term, voteGranted: true, preVote: m.preVote });
    }
  }
  for (const m of drain(n1)) {
    if (m.type === 'RequestVote' && m.to === 'n2') {
      n1.step({ type: 'RequestVoteResponse', from: 'n2', to: 'n1', term: m.term, voteGranted: true, preVote: m.preVote });
    }
  }
  expect(n1.status().role).toBe('leader');
  drain(n1);
  return n1;
}

describe('Demo controls', () => {
  it('electionTimer counts ticks toward the randomized timeout, and the heartbeat on a leader', () => {
    const node = newNode('n1');
    expect(node.electionTimer()).toEqual({ kind: 'election', elapsed: 0, timeout: 15 });
    for (let i = 0; i < 4; i++) node.tick();
    expect(node.electionTimer()).toEqual({ kind: 'election', elapsed: 4, timeout: 15 });
    const leader = elect();
    leader.tick();
    expect(leader.electionTimer()).toEqual({ kind: 'heartbeat', elapsed: 1, timeout: 2 });
  });

  it('fireElectionIn makes the node campaign on exactly that tick', () => {
    const node = newNode('n1', { preVote: false });
    node.fireElectionIn(3);
    node.tick();
    node.tick();
    expect(node.status().role).toBe('follower');
    node.tick();
    expect(node.status().role).toBe('candidate');
  });

  it('fireElectionIn beyond the drawn timeout waits that long', () => {
    const node = newNode('n1', { preVote: false });
    node.fireElectionIn(40);
    for (let i = 0; i < 39; i++) node.tick();
    expect(node.status().role).toBe('follower');
    node.tick();
    expect(node.status().role).toBe('candidate');
  });

  it('fireElectionIn refuses a tick count below 1', () => {
    expect(() => newNode('n1').fireElectionIn(0)).toThrow(/ticks must be a whole number/);
  });

  it('a leader without CheckQuorum keeps leading when nobody answers; with it, it steps down (dissertation §6.2)', () => {
    const classic = elect();
    classic.setSafeguards({ checkQuorum: false, preVote: false });
    expect(classic.safeguards()).toEqual({ preVote: false, checkQuorum: false });
    for (let i = 0; i < 100; i++) classic.tick();
    expect(classic.status().role).toBe('leader');

    const guarded = elect();
    for (let i = 0; i < 20; i++) guarded.tick(); // two CheckQuorum rounds: the first counts the election's answers
    expect(guarded.status()).toMatchObject({ role: 'follower', term: 1 });
  });

  it('without PreVote a timed-out follower raises the term at once; with it, it stays in its term (dissertation §9.6)', () => {
    const classic = newNode('n1');
    classic.setSafeguards({ preVote: false });
    classic.fireElectionIn(1);
    classic.tick();
    expect(classic.status()).toMatchObject({ role: 'candidate', term: 1 });

    const guarded = newNode('n1');
    guarded.fireElectionIn(1);
    guarded.tick();
    expect(guarded.status()).toMatchObject({ role: 'precandidate', term: 0 });
  });
});

// Paper tests: each test checks one claim of the Raft paper (Ongaro and
// Ousterhout, "In Search of an Understandable Consensus Algorithm", extended
// version, sections 5.1–5.4) and cites its section, after the claims of
// etcd-io/raft's raft_paper_test.go. Further tests cover what the contract of core/raft/types.ts adds
// to the paper: PreVote and CheckQuorum (Ongaro's dissertation, §9.6 and §6.2),
// leadership transfer (dissertation §3.10), learners, InstallSnapshot (paper
// section 7, Figure 13) and the semantics the core contract promises.
//
// Each test drives RaftNode instances directly: tick(), step(), propose(), then
// ready() and advance(). Messages are built by hand; the node under test is the
// only real participant unless a test says otherwise.
import { describe, expect, it } from 'vitest';
import { RaftNode } from './index.ts';
import type { Entry, HardState, Membership, Message, RaftOptions, Ready, Snapshot } from './index.ts';
import { Rng } from '../testing/rng.ts';

// ---------------------------------------------------------------------------
// Helpers

const ELECTION = 10;
const HEARTBEAT = 2;
const NO_DATA = new Uint8Array(0);

/** seeded returns a deterministic generator of numbers in [0, 1). */
const seeded = (seed: number): (() => number) => new Rng(seed).float;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** ids returns n1 … n<count>. */
function ids(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `n${k + 1}`);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

interface NodeInit extends Partial<Omit<RaftOptions, 'id' | 'membership'>> {
  id?: string;
  voters?: string[];
  learners?: string[];
  seed?: number;
}

/** newNode builds a node of a three-voter group running classic Raft (no PreVote, no CheckQuorum). */
function newNode(init: NodeInit = {}): RaftNode {
  const { id = 'n1', voters = ids(3), learners = [], seed = 1, ...options } = init;
  return new RaftNode({
    id,
    membership: { voters, learners },
    electionTicks: ELECTION,
    heartbeatTicks: HEARTBEAT,
    preVote: false,
    checkQuorum: false,
    random: seeded(seed),
    ...options,
  });
}

function hardState(term: number, votedFor: string | null = null, commitIndex = 0): HardState {
  return { term, votedFor, commitIndex };
}

function entry(index: number, term: number, kind: Entry['kind'] = 'command', data: Uint8Array = NO_DATA): Entry {
  return { index, term, kind, data };
}

/** log returns command entries from index `first` on, one per term given. */
function log(first: number, ...terms: number[]): Entry[] {
  return terms.map((term, k) => entry(first + k, term));
}

function configEntry(index: number, term: number, membership: Membership): Entry {
  return entry(index, term, 'config', bytes(JSON.stringify(membership)));
}

function appendEntries(from: string, to: string, term: number, prevLogIndex: number, prevLogTerm: number,
  entries: Entry[] = [], leaderCommit = 0): Message {
  return { type: 'AppendEntries', from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, quiesce: false };
}

function requestVote(from: string, to: string, term: number, lastLogIndex: number, lastLogTerm: number,
  preVote = false, transfer = false): Message {
  return { type: 'RequestVote', from, to, term, lastLogIndex, lastLogTerm, preVote, transfer };
}

function voteResponse(from: string, to: string, term: number, voteGranted: boolean, preVote = false): Message {
  return { type: 'RequestVoteResponse', from, to, term, voteGranted, preVote };
}

type MessageOf<T extends Message['type']> = Extract<Message, { type: T }>;

/** only keeps the messages of one type, sorted by recipient. */
function only<T extends Message['type']>(messages: Message[], type: T): MessageOf<T>[] {
  return messages
    .filter((m): m is MessageOf<T> => m.type === type)
    .sort((a, b) => a.to.localeCompare(b.to));
}

/** acceptAndReply answers an AppendEntries as a follower whose log matched. */
function acceptAndReply(m: Message): Message {
  if (m.type !== 'AppendEntries') throw new Error(`expected AppendEntries, got ${m.type}`);
  return {
    type: 'AppendEntriesResponse', from: m.to, to: m.from, term: m.term,
    success: true, matchIndex: m.prevLogIndex + m.entries.length, hintIndex: 0,
  };
}

/** takeReady hands over one Ready and acknowledges it, as the driver does. */
function takeReady(node: RaftNode): Ready {
  const rd = node.ready();
  node.advance(rd);
  return rd;
}

interface Drained {
  readies: Ready[];
  messages: Message[];
  entries: Entry[];
  committed: Entry[];
  hardState: HardState | null;
  snapshot: Snapshot | null;
}

/** drain takes Readies until the node has no more work, merging them. */
function drain(node: RaftNode): Drained {
  const out: Drained = { readies: [], messages: [], entries: [], committed: [], hardState: null, snapshot: null };
  do {
    const rd = takeReady(node);
    out.readies.push(rd);
    out.messages.push(...rd.messages);
    out.entries.push(...rd.entries);
    out.committed.push(...rd.committed);
    out.hardState = rd.hardState ?? out.hardState;
    out.snapshot = rd.snapshot ?? out.snapshot;
  } while (node.hasReady() && out.readies.length < 50);
  return out;
}

/** elect makes a classic-Raft node leader with the votes of every other voter. */
function elect(node: RaftNode): Drained {
  node.campaign();
  const campaign = drain(node);
  const { term, membership } = node.status();
  for (const voter of membership.voters) {
    if (voter !== node.id) node.step(voteResponse(voter, node.id, term, true));
  }
  expect(node.status().role).toBe('leader');
  return campaign;
}

/** commitNoop replicates the new leader's noop entry to every follower and takes the resulting work. */
function commitNoop(leader: RaftNode): Drained {
  const rd = drain(leader);
  for (const m of only(rd.messages, 'AppendEntries')) leader.step(acceptAndReply(m));
  const after = drain(leader);
  expect(leader.status().commitIndex).toBe(leader.status().lastIndex);
  return after;
}

/** newLeader returns a leader of term 1 whose noop is committed on every follower. */
function newLeader(init: NodeInit = {}): RaftNode {
  const leader = newNode(init);
  elect(leader);
  commitNoop(leader);
  return leader;
}

/** holds asks a follower, with an empty AppendEntries of its own term, whether its log holds (index, term). */
function holds(node: RaftNode, leader: string, index: number, term: number): boolean {
  drain(node);
  node.step(appendEntries(leader, node.id, node.status().term, index, term));
  const [response] = only(drain(node).messages, 'AppendEntriesResponse');
  if (response === undefined) throw new Error('no AppendEntriesResponse');
  return response.success;
}

/** MemoryLog is the durable log a driver keeps from the Readies it is handed. */
class MemoryLog {
  entries: Entry[];
  constructor(entries: Entry[] = []) {
    this.entries = [...entries];
  }

  apply(rd: Ready): void {
    if (rd.snapshot !== null) {
      const { index, term } = rd.snapshot;
      const kept = this.entries.find((e) => e.index === index && e.term === term);
      this.entries = kept === undefined ? [] : this.entries.filter((e) => e.index > index);
    }
    for (const e of rd.entries) {
      this.entries = this.entries.filter((old) => old.index < e.index);
      this.entries.push(e);
    }
  }

  terms(): number[] {
    return this.entries.map((e) => e.term);
  }
}

/** exchange runs a few nodes over a lossless network, dropping messages to absent nodes, until it is quiet. */
function exchange(nodes: Map<string, RaftNode>, logs: Map<string, MemoryLog>, maxRounds = 200): void {
  for (let round = 0; round < maxRounds; round++) {
    const inFlight: Message[] = [];
    for (const [id, node] of nodes) {
      const rd = node.ready();
      logs.get(id)?.apply(rd);
      node.advance(rd);
      inFlight.push(...rd.messages);
    }
    if (inFlight.length === 0) return;
    for (const m of inFlight) nodes.get(m.to)?.step(m);
  }
  throw new Error('the network did not settle');
}

// ---------------------------------------------------------------------------
// Section 5.1: Raft basics

describe('Terms', () => {
  // Reference: section 5.1
  it('updates its term from a message of a newer term and reverts to follower, whatever its role', () => {
    const roles = ['follower', 'candidate', 'leader'] as const;
    for (const role of roles) {
      const node = newNode();
      if (role === 'follower') node.step(appendEntries('n2', 'n1', 1, 0, 0));
      if (role === 'candidate') node.campaign();
      if (role === 'leader') elect(node);
      expect(node.status().role, role).toBe(role);
      drain(node);

      node.step(appendEntries('n3', 'n1', 2, 0, 0));

      const status = node.status();
      expect(status.term, role).toBe(2);
      expect(status.role, role).toBe('follower');
      expect(status.leaderId, role).toBe('n3');
      expect(status.votedFor, role).toBeNull();
    }
  });

  // Reference: section 5.1
  it('steps a leader down when any reply or request carries a newer term', () => {
    const newer: Message[] = [
      { type: 'AppendEntriesResponse', from: 'n2', to: 'n1', term: 2, success: false, matchIndex: 0, hintIndex: 0 },
      voteResponse('n2', 'n1', 2, false),
      requestVote('n3', 'n1', 2, 5, 1),
    ];
    for (const m of newer) {
      const leader = newNode();
      elect(leader);
      drain(leader);

      leader.step(m);

      expect(leader.status().role, m.type).toBe('follower');
      expect(leader.status().term, m.type).toBe(2);
    }
  });

  // Reference: section 5.1
  it('rejects an AppendEntries of an older term, changing nothing and answering with its own term', () => {
    const node = newNode({ restore: { hardState: hardState(2), entries: log(1, 1) } });
    drain(node);

    node.step(appendEntries('n2', 'n1', 1, 1, 1, [entry(2, 1)], 2));
    const rd = drain(node);

    expect(node.status()).toMatchObject({ term: 2, role: 'follower', leaderId: null, lastIndex: 1, commitIndex: 0 });
    expect(rd.hardState).toBeNull();
    expect(rd.entries).toEqual([]);
    expect(rd.committed).toEqual([]);
    expect(rd.messages).toHaveLength(1);
    expect(rd.messages[0]).toMatchObject({ type: 'AppendEntriesResponse', from: 'n1', to: 'n2', term: 2, success: false });
  });

  // Reference: section 5.1
  it('rejects a RequestVote of an older term, answering with its own term', () => {
    const node = newNode({ restore: { hardState: hardState(2), entries: [] } });
    drain(node);

    node.step(requestVote('n2', 'n1', 1, 0, 0));
    const rd = drain(node);

    expect(node.status()).toMatchObject({ term: 2, votedFor: null, role: 'follower' });
    expect(rd.hardState).toBeNull();
    expect(rd.messages).toEqual([voteResponse('n1', 'n2', 2, false)]);
  });

  // Reference: section 5.1
  it('ignores replies of an older term', () => {
    const candidate = newNode();
    candidate.campaign();
    candidate.campaign();
    expect(candidate.status().term).toBe(2);
    drain(candidate);

    candidate.step(voteResponse('n2', 'n1', 1, true));
    candidate.step(voteResponse('n3', 'n1', 1, true));

    expect(candidate.status()).toMatchObject({ role: 'candidate', term: 2 });
  });
});

// ---------------------------------------------------------------------------
// Section 5.2: Leader election

describe('Election', () => {
  // Reference: section 5.2
  it('starts as a follower', () => {
    const fresh = newNode();
    expect(fresh.status()).toMatchObject({ role: 'follower', term: 0, votedFor: null, leaderId: null });

    const restored = newNode({ restore: { hardState: hardState(4, 'n2', 1), entries: log(1, 3) } });
    expect(restored.status()).toMatchObject({ role: 'follower', term: 4, votedFor: 'n2', commitIndex: 1, lastIndex: 1 });
  });

  // Reference: section 5.2
  it('has a follower campaign when it hears nothing for an election timeout', () => {
    const node = newNode();
    for (let t = 1; t < ELECTION; t++) node.tick();
    expect(node.status().role).toBe('follower');
    expect(drain(node).messages).toEqual([]);

    for (let t = ELECTION; t < 2 * ELECTION; t++) node.tick();
    const rd = takeReady(node);

    expect(node.status()).toMatchObject({ role: 'candidate', term: 1, votedFor: 'n1' });
    expect(rd.hardState).toEqual(hardState(1, 'n1', 0));
    expect(only(rd.messages, 'RequestVote')).toEqual([
      requestVote('n1', 'n2', 1, 0, 0),
      requestVote('n1', 'n3', 1, 0, 0),
    ]);
    expect(rd.messages).toHaveLength(2);
  });

  // Reference: section 5.2
  it('has a candidate that wins no majority start a new election in the next term', () => {
    const node = newNode();
    node.campaign();
    drain(node);
    expect(node.status()).toMatchObject({ role: 'candidate', term: 1 });

    for (let t = 1; t < 2 * ELECTION; t++) node.tick();
    const rd = drain(node);

    expect(node.status()).toMatchObject({ role: 'candidate', term: 2, votedFor: 'n1' });
    expect(only(rd.messages, 'RequestVote')).toEqual([
      requestVote('n1', 'n2', 2, 0, 0),
      requestVote('n1', 'n3', 2, 0, 0),
    ]);
  });

  // Reference: section 5.2
  it('wins an election with votes from a majority, loses on a majority of denials, and waits otherwise', () => {
    type Outcome = 'leader' | 'candidate' | 'lost';
    const cases: [size: number, votes: Record<string, boolean>, outcome: Outcome][] = [
      [1, {}, 'leader'],
      [3, { n2: true, n3: true }, 'leader'],
      [3, { n2: true }, 'leader'],
      [5, { n2: true, n3: true, n4: true, n5: true }, 'leader'],
      [5, { n2: true, n3: true, n4: true }, 'leader'],
      [5, { n2: true, n3: true }, 'leader'],
      [3, { n2: false, n3: false }, 'lost'],
      [5, { n2: false, n3: false, n4: false, n5: false }, 'lost'],
      [5, { n2: true, n3: false, n4: false, n5: false }, 'lost'],
      [3, {}, 'candidate'],
      [5, { n2: true }, 'candidate'],
      [5, { n2: false, n3: false }, 'candidate'],
      [5, {}, 'candidate'],
    ];
    for (const [k, [size, votes, outcome]] of cases.entries()) {
      const node = newNode({ voters: ids(size) });
      node.campaign();
      drain(node);
      for (const [voter, granted] of Object.entries(votes)) node.step(voteResponse(voter, 'n1', 1, granted));

      const { role, term } = node.status();
      if (outcome === 'lost') expect(role, `case ${k}`).not.toBe('leader');
      else expect(role, `case ${k}`).toBe(outcome);
      expect(term, `case ${k}`).toBe(1);
    }
  });

  // Reference: section 5.2
  it('has a new leader append a noop entry of its term and send it to every follower', () => {
    const node = newNode();
    node.campaign();
    drain(node);
    node.step(voteResponse('n2', 'n1', 1, true));
    const rd = drain(node);

    expect(node.status()).toMatchObject({ role: 'leader', leaderId: 'n1', lastIndex: 1, commitIndex: 0 });
    expect(rd.entries).toHaveLength(1);
    expect(rd.entries[0]).toMatchObject({ index: 1, term: 1, kind: 'noop' });
    const appends = only(rd.messages, 'AppendEntries');
    expect(appends.map((m) => m.to)).toEqual(['n2', 'n3']);
    for (const m of appends) {
      expect(m).toMatchObject({ from: 'n1', term: 1, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0 });
      expect(m.entries).toEqual(rd.entries);
    }
  });

  // Reference: section 5.2
  it('has the leader send heartbeats, AppendEntries without entries, every heartbeat interval', () => {
    const leader = newNode();
    elect(leader);
    const rd = drain(leader);
    const toN2 = only(rd.messages, 'AppendEntries').find((m) => m.to === 'n2');
    if (toN2 === undefined) throw new Error('no AppendEntries to n2');
    leader.step(acceptAndReply(toN2));
    drain(leader);
    expect(leader.status().commitIndex).toBe(1);

    for (let t = 1; t < HEARTBEAT; t++) leader.tick();
    expect(only(drain(leader).messages, 'AppendEntries').filter((m) => m.entries.length === 0)).toEqual([]);

    leader.tick();
    const heartbeats = only(drain(leader).messages, 'AppendEntries').filter((m) => m.entries.length === 0);

    // prevLogIndex is what the leader knows the follower holds; n3 has not answered yet.
    expect(heartbeats).toEqual([
      appendEntries('n1', 'n2', 1, 1, 1, [], 1),
      appendEntries('n1', 'n3', 1, 0, 0, [], 1),
    ]);
  });

  // Reference: section 5.2
  it('has a follower grant at most one vote per term, first come first served', () => {
    const cases: [votedFor: string | null, candidate: string, granted: boolean][] = [
      [null, 'n2', true],
      [null, 'n3', true],
      ['n2', 'n2', true],
      ['n3', 'n3', true],
      ['n2', 'n3', false],
      ['n3', 'n2', false],
    ];
    for (const [k, [votedFor, candidate, granted]] of cases.entries()) {
      const node = newNode({ restore: { hardState: hardState(1, votedFor), entries: [] } });
      drain(node);

      node.step(requestVote(candidate, 'n1', 1, 0, 0));
      const rd = takeReady(node);

      expect(rd.messages, `case ${k}`).toEqual([voteResponse('n1', candidate, 1, granted)]);
      expect(node.status().votedFor, `case ${k}`).toBe(votedFor ?? (granted ? candidate : null));
      // A vote is durable before the answer that grants it leaves the node.
      if (votedFor === null) expect(rd.hardState, `case ${k}`).toEqual(hardState(1, candidate, 0));
    }
  });

  // Reference: section 5.2
  it('has a follower refuse a second candidate in the same term', () => {
    const node = newNode();
    node.step(requestVote('n2', 'n1', 1, 0, 0));
    node.step(requestVote('n3', 'n1', 1, 0, 0));
    const rd = drain(node);

    expect(only(rd.messages, 'RequestVoteResponse')).toEqual([
      voteResponse('n1', 'n2', 1, true),
      voteResponse('n1', 'n3', 1, false),
    ]);
    expect(node.status().votedFor).toBe('n2');
  });

  // Reference: section 5.2
  it('has a candidate return to follower on an AppendEntries from a leader of its term or newer', () => {
    for (const term of [1, 2]) {
      const node = newNode();
      node.campaign();
      drain(node);
      expect(node.status().role).toBe('candidate');

      node.step(appendEntries('n2', 'n1', term, 0, 0));

      expect(node.status(), `term ${term}`).toMatchObject({ role: 'follower', term, leaderId: 'n2' });
      expect(only(drain(node).messages, 'AppendEntriesResponse')[0], `term ${term}`)
        .toMatchObject({ to: 'n2', term, success: true });
    }
  });

  // Reference: section 5.2
  it('draws each follower election timeout at random from [electionTicks, 2 * electionTicks)', () => {
    for (const electionTicks of [ELECTION, undefined]) {
      const base = electionTicks ?? 15; // the default
      const node = newNode({ seed: 7, electionTicks });
      const seen = new Set<number>();
      for (let round = 0; round < 50 * base; round++) {
        // A leader of a newer term makes the node a follower again.
        node.step(appendEntries('n2', 'n1', node.status().term + 1, 0, 0));
        drain(node);
        let ticks = 0;
        while (node.status().role === 'follower' && ticks < 4 * base) {
          node.tick();
          ticks++;
        }
        seen.add(ticks);
      }
      expect([...seen].sort((a, b) => a - b), `electionTicks ${base}`).toEqual(range(base, 2 * base));
    }
  });

  // Reference: section 5.2
  it('draws each candidate election timeout at random from [electionTicks, 2 * electionTicks)', () => {
    const node = newNode({ seed: 11 });
    node.campaign();
    drain(node);
    const seen = new Set<number>();
    for (let round = 0; round < 50 * ELECTION; round++) {
      const term = node.status().term;
      let ticks = 0;
      while (node.status().term === term && ticks < 4 * ELECTION) {
        node.tick();
        ticks++;
      }
      drain(node);
      seen.add(ticks);
    }
    expect(node.status().role).toBe('candidate');
    expect([...seen].sort((a, b) => a - b)).toEqual(range(ELECTION, 2 * ELECTION));
  });

  // Reference: section 5.2
  it('draws the election timeout from the injected random source', () => {
    for (const [value, expected] of [[0, ELECTION], [0.999, 2 * ELECTION - 1]] as const) {
      const node = newNode({ random: () => value });
      let ticks = 0;
      while (node.status().role === 'follower' && ticks < 4 * ELECTION) {
        node.tick();
        ticks++;
      }
      expect(ticks, `random ${value}`).toBe(expected);
    }
  });

  // Reference: section 5.2
  it('has, in most rounds, a single follower time out first', () => {
    const voters = ids(5);
    const followers = voters.slice(1).map((id, k) => newNode({ id, voters, seed: 100 + k }));
    let conflicts = 0;
    for (let round = 0; round < 1000; round++) {
      for (const node of followers) {
        node.step(appendEntries('n1', node.id, node.status().term + 1, 0, 0));
        drain(node);
      }
      let timedOut = 0;
      for (let t = 0; timedOut === 0 && t < 4 * ELECTION; t++) {
        for (const node of followers) {
          node.tick();
          if (node.status().role !== 'follower') timedOut++;
        }
      }
      expect(timedOut).toBeGreaterThan(0);
      if (timedOut > 1) conflicts++;
    }
    expect(conflicts / 1000).toBeLessThanOrEqual(0.3);
  });

  // Reference: section 5.2
  it('has, in most rounds, a single candidate time out first', () => {
    const voters = ids(5);
    const candidates = voters.map((id, k) => newNode({ id, voters, seed: 200 + k }));
    let conflicts = 0;
    for (let round = 0; round < 1000; round++) {
      const terms = candidates.map((node) => {
        node.campaign();
        drain(node);
        return node.status().term;
      });
      let timedOut = 0;
      for (let t = 0; timedOut === 0 && t < 4 * ELECTION; t++) {
        for (const [k, node] of candidates.entries()) {
          node.tick();
          if (node.status().term !== terms[k]) timedOut++;
        }
      }
      expect(timedOut).toBeGreaterThan(0);
      if (timedOut > 1) conflicts++;
    }
    expect(conflicts / 1000).toBeLessThanOrEqual(0.3);
  });
});

// ---------------------------------------------------------------------------
// Section 5.3: Log replication

describe('Replication', () => {
  // Reference: section 5.3
  it('has the leader append a proposal to its log and send it with the preceding index and term', () => {
    const leader = newLeader();
    const li = leader.status().lastIndex;

    const result = leader.propose(bytes('some data'));

    expect(result).toEqual({ ok: true, index: li + 1, term: 1 });
    expect(leader.status()).toMatchObject({ lastIndex: li + 1, commitIndex: li });
    const rd = takeReady(leader);
    const wanted = entry(li + 1, 1, 'command', bytes('some data'));
    expect(rd.entries).toEqual([wanted]);
    expect(only(rd.messages, 'AppendEntries')).toEqual([
      appendEntries('n1', 'n2', 1, li, 1, [wanted], li),
      appendEntries('n1', 'n3', 1, li, 1, [wanted], li),
    ]);
  });

  // Reference: section 5.3
  it('sends the entries proposed since the last Ready in one AppendEntries per follower', () => {
    const leader = newLeader();
    const li = leader.status().lastIndex;

    for (const text of ['a', 'b', 'c']) leader.propose(bytes(text));
    const rd = takeReady(leader);

    const appends = only(rd.messages, 'AppendEntries');
    expect(appends.map((m) => m.to)).toEqual(['n2', 'n3']);
    for (const m of appends) {
      expect(m.prevLogIndex).toBe(li);
      expect(m.entries.map((e) => e.index)).toEqual([li + 1, li + 2, li + 3]);
    }
  });

  // Reference: section 5.3
  it('commits an entry once it is replicated and tells the followers the new commit index', () => {
    const leader = newLeader();
    const li = leader.status().lastIndex;
    leader.propose(bytes('some data'));
    const rd = takeReady(leader);

    for (const m of only(rd.messages, 'AppendEntries')) leader.step(acceptAndReply(m));

    expect(leader.status().commitIndex).toBe(li + 1);
    const after = drain(leader);
    expect(after.committed).toEqual([entry(li + 1, 1, 'command', bytes('some data'))]);
    expect(after.hardState?.commitIndex).toBe(li + 1);
    // The new commit index goes out at once or with the next heartbeats.
    const sent = [...after.messages];
    for (let t = 0; t < HEARTBEAT; t++) leader.tick();
    sent.push(...drain(leader).messages);
    for (const follower of ['n2', 'n3']) {
      const told = only(sent, 'AppendEntries').some((m) => m.to === follower && m.leaderCommit === li + 1);
      expect(told, follower).toBe(true);
    }
  });

  // Reference: section 5.3
  it('commits an entry once the leader has replicated it on a majority', () => {
    const cases: [size: number, acceptors: string[], committed: boolean][] = [
      [1, [], true],
      [3, [], false],
      [3, ['n2'], true],
      [3, ['n2', 'n3'], true],
      [5, [], false],
      [5, ['n2'], false],
      [5, ['n2', 'n3'], true],
      [5, ['n2', 'n3', 'n4'], true],
      [5, ['n2', 'n3', 'n4', 'n5'], true],
    ];
    for (const [k, [size, acceptors, committed]] of cases.entries()) {
      const leader = newLeader({ voters: ids(size) });
      const li = leader.status().lastIndex;
      leader.propose(bytes('some data'));
      const rd = takeReady(leader);
      for (const m of only(rd.messages, 'AppendEntries')) {
        if (acceptors.includes(m.to)) leader.step(acceptAndReply(m));
      }
      drain(leader);

      expect(leader.status().commitIndex > li, `case ${k}`).toBe(committed);
    }
  });

  // Reference: section 5.3
  it('commits the entries of earlier leaders along with its own, and hands them over in log order', () => {
    const cases: Entry[][] = [[], log(1, 2), log(1, 1, 2), log(1, 1)];
    for (const [k, previous] of cases.entries()) {
      const leader = newNode({ restore: { hardState: hardState(2), entries: previous } });
      elect(leader);
      expect(leader.status().term).toBe(3);
      leader.propose(bytes('some data'));
      const rd = takeReady(leader);
      for (const m of only(rd.messages, 'AppendEntries')) leader.step(acceptAndReply(m));
      const committed = [...rd.committed, ...drain(leader).committed];

      const li = previous.length;
      expect(committed.map((e) => [e.index, e.term, e.kind]), `case ${k}`).toEqual([
        ...previous.map((e) => [e.index, e.term, e.kind]),
        [li + 1, 3, 'noop'],
        [li + 2, 3, 'command'],
      ]);
      expect(committed.at(-1)?.data, `case ${k}`).toEqual(bytes('some data'));
    }
  });

  // Reference: section 5.3
  it('has a follower apply the entries the leader says are committed, in log order', () => {
    const cases: [entries: Entry[], leaderCommit: number][] = [
      [[entry(1, 1, 'command', bytes('some data'))], 1],
      [[entry(1, 1, 'command', bytes('some data')), entry(2, 1, 'command', bytes('some data2'))], 2],
      [[entry(1, 1, 'command', bytes('some data2')), entry(2, 1, 'command', bytes('some data'))], 2],
      [[entry(1, 1, 'command', bytes('some data')), entry(2, 1, 'command', bytes('some data2'))], 1],
    ];
    for (const [k, [entries, leaderCommit]] of cases.entries()) {
      const node = newNode();
      node.step(appendEntries('n2', 'n1', 1, 0, 0, entries, leaderCommit));
      const rd = drain(node);

      expect(node.status().commitIndex, `case ${k}`).toBe(leaderCommit);
      expect(rd.committed, `case ${k}`).toEqual(entries.slice(0, leaderCommit));
      expect(rd.entries, `case ${k}`).toEqual(entries);
    }
  });

  // Reference: section 5.3
  it('has a follower commit no further than the last entry the leader has shown to match', () => {
    // leaderCommit beyond the new entries
    const first = newNode();
    first.step(appendEntries('n2', 'n1', 1, 0, 0, log(1, 1), 5));
    expect(first.status().commitIndex).toBe(1);

    // a heartbeat that proves nothing about the follower's log
    const second = newNode({ restore: { hardState: hardState(1), entries: log(1, 1, 1) } });
    second.step(appendEntries('n2', 'n1', 1, 0, 0, [], 2));
    expect(second.status().commitIndex).toBe(0);
    second.step(appendEntries('n2', 'n1', 1, 2, 1, [], 2));
    expect(second.status().commitIndex).toBe(2);

    // never lowered
    second.step(appendEntries('n2', 'n1', 1, 1, 1, [], 1));
    expect(second.status().commitIndex).toBe(2);
  });

  // Reference: section 5.3
  it('has a follower refuse entries unless its log holds the entry just before them', () => {
    const cases: [entries: Entry[], commit: number, prevIndex: number, prevTerm: number,
      success: boolean, matchIndex: number, hintIndex?: number][] = [
      // match with committed entries: the answer names the commit index, known to match
      [log(1, 1, 2), 1, 0, 0, true, 1],
      [log(1, 1, 2), 1, 1, 1, true, 1],
      // match with an uncommitted entry
      [log(1, 1, 2), 1, 2, 2, true, 2],
      // an entry of another term at prevLogIndex: retry below it, at the last entry whose
      // term is below both prevLogTerm and the follower's term there
      [log(1, 1, 2), 1, 2, 1, false, 0, 1],
      [log(1, 1, 1, 2, 2), 1, 4, 3, false, 0, 2],
      [log(1, 1, 1, 2, 2), 1, 4, 1, false, 0, 2],
      // no entry at prevLogIndex: retry at the follower's last index
      [log(1, 1, 2), 1, 3, 3, false, 0, 2],
    ];
    for (const [k, [entries, commit, prevIndex, prevTerm, success, matchIndex, hintIndex]] of cases.entries()) {
      const node = newNode({ restore: { hardState: hardState(3, null, commit), entries } });
      drain(node);

      node.step(appendEntries('n2', 'n1', 3, prevIndex, prevTerm, [], commit));
      const rd = drain(node);

      expect(rd.messages, `case ${k}`).toHaveLength(1);
      expect.soft(rd.messages[0], `case ${k}`).toMatchObject({
        type: 'AppendEntriesResponse', from: 'n1', to: 'n2', term: 3, success, matchIndex,
        ...(hintIndex === undefined ? {} : { hintIndex }),
      });
      expect(node.status().lastIndex, `case ${k}`).toBe(entries.length);
    }
  });

  // Reference: section 5.3
  it('has a follower delete a conflicting entry and all after it, and append only what it lacks', () => {
    const cases: [prevIndex: number, prevTerm: number, entries: Entry[], terms: number[], persisted: Entry[]][] = [
      [2, 2, log(3, 3), [1, 2, 3], log(3, 3)],
      [1, 1, log(2, 3, 4), [1, 3, 4], log(2, 3, 4)],
      [0, 0, log(1, 1), [1, 2], []],
      [0, 0, log(1, 3), [3], log(1, 3)],
    ];
    for (const [k, [prevIndex, prevTerm, entries, terms, persisted]] of cases.entries()) {
      const initial = log(1, 1, 2);
      const node = newNode({ restore: { hardState: hardState(2), entries: initial } });
      const durable = new MemoryLog(initial);
      durable.apply(takeReady(node));

      node.step(appendEntries('n2', 'n1', 4, prevIndex, prevTerm, entries));
      const rd = takeReady(node);
      durable.apply(rd);

      expect(rd.entries, `case ${k}`).toEqual(persisted);
      expect(durable.terms(), `case ${k}`).toEqual(terms);
      expect(node.status().lastIndex, `case ${k}`).toBe(terms.length);
      expect(holds(node, 'n2', terms.length, terms.at(-1) ?? 0), `case ${k}`).toBe(true);
    }
  });

  // Reference: section 5.3
  it('has the leader retry at the index the follower hints after a rejection', () => {
    const leader = newNode({ restore: { hardState: hardState(1), entries: log(1, 1, 1, 1) } });
    elect(leader);
    const first = only(drain(leader).messages, 'AppendEntries').find((m) => m.to === 'n2');
    expect(first?.prevLogIndex).toBeGreaterThan(1);

    leader.step({ type: 'AppendEntriesResponse', from: 'n2', to: 'n1', term: 2, success: false, matchIndex: 0, hintIndex: 1 });
    const retry = only(drain(leader).messages, 'AppendEntries').filter((m) => m.to === 'n2');

    expect(retry).toHaveLength(1);
    expect(retry[0]?.prevLogIndex).toBeLessThanOrEqual(1);
    expect(retry[0]?.prevLogTerm).toBe(retry[0]?.prevLogIndex === 0 ? 0 : 1);
    expect(retry[0]?.entries.map((e) => e.index).at(-1)).toBe(4);
    expect(retry[0]?.entries[0]?.index).toBe((retry[0]?.prevLogIndex ?? 0) + 1);
  });

  // Reference: section 5.3
  it('has the leader move back after every rejection, even when the hint is the rejected index', () => {
    // The follower holds (4, 1): its entry at 4 has a term <= prevLogTerm 2, so it hints 4 itself.
    const leader = newNode({ restore: { hardState: hardState(2), entries: log(1, 1, 1, 2, 2) } });
    elect(leader);
    const first = only(drain(leader).messages, 'AppendEntries').find((m) => m.to === 'n2');
    expect(first).toMatchObject({ prevLogIndex: 4, prevLogTerm: 2 });

    leader.step({ type: 'AppendEntriesResponse', from: 'n2', to: 'n1', term: 3, success: false, matchIndex: 0, hintIndex: 4 });
    const sent = drain(leader).messages;
    for (let t = 0; t < HEARTBEAT; t++) leader.tick();
    sent.push(...drain(leader).messages);

    const retries = only(sent, 'AppendEntries').filter((m) => m.to === 'n2');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((m) => m.prevLogIndex < 4)).toBe(true);
  });

  // Reference: section 5.3, Figure 7
  it('brings any follower log of Figure 7 into agreement with the leader', () => {
    const leaderLog = log(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
    const followerLogs = [
      log(1, 1, 1, 1, 4, 4, 5, 5, 6, 6), // (a)
      log(1, 1, 1, 1, 4), // (b)
      log(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6), // (c)
      log(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7), // (d)
      log(1, 1, 1, 1, 4, 4, 4, 4), // (e)
      log(1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3), // (f)
    ];
    for (const [k, followerLog] of followerLogs.entries()) {
      const leader = newNode({ restore: { hardState: hardState(8, null, leaderLog.length), entries: leaderLog } });
      const follower = newNode({ id: 'n2', seed: 2, restore: { hardState: hardState(7), entries: followerLog } });
      const nodes = new Map([['n1', leader], ['n2', follower]]);
      const logs = new Map([['n1', new MemoryLog(leaderLog)], ['n2', new MemoryLog(followerLog)]]);

      leader.campaign();
      exchange(nodes, logs);
      // n3 votes for n1; (d) has a longer last term and refuses.
      leader.step(voteResponse('n3', 'n1', 9, true));
      expect(leader.status().role, `case ${k}`).toBe('leader');
      leader.propose(bytes('new'));
      exchange(nodes, logs);
      for (let t = 0; t < HEARTBEAT; t++) leader.tick();
      exchange(nodes, logs);

      expect.soft(logs.get('n2')?.entries, `case ${k}`).toEqual(logs.get('n1')?.entries);
      expect.soft(logs.get('n1')?.terms(), `case ${k}`).toEqual([...leaderLog.map((e) => e.term), 9, 9]);
      expect.soft(follower.status().lastIndex, `case ${k}`).toBe(12);
      expect.soft(follower.status().commitIndex, `case ${k}`).toBe(12);
    }
  });
});

// ---------------------------------------------------------------------------
// Section 5.4: Safety

describe('Election restriction', () => {
  // Reference: section 5.4.1
  it('has a candidate send the index and term of its last entry to every other voter', () => {
    const cases: [entries: Entry[], term: number][] = [
      [log(1, 1), 2],
      [log(1, 1, 2), 3],
    ];
    for (const [k, [entries, term]] of cases.entries()) {
      const node = newNode();
      node.step(appendEntries('n2', 'n1', term - 1, 0, 0, entries));
      drain(node);

      for (let t = 1; t < 2 * ELECTION; t++) node.tick();
      const votes = only(drain(node).messages, 'RequestVote');

      const last = entries.at(-1);
      expect(votes, `case ${k}`).toEqual(['n2', 'n3'].map((to) =>
        requestVote('n1', to, term, last?.index ?? 0, last?.term ?? 0)));
    }
  });

  // Reference: section 5.4.1
  it('has a voter deny its vote to a candidate whose log is less up-to-date than its own', () => {
    const cases: [entries: Entry[], lastLogTerm: number, lastLogIndex: number, granted: boolean][] = [
      // same last term
      [log(1, 1), 1, 1, true],
      [log(1, 1), 1, 2, true],
      [log(1, 1, 1), 1, 1, false],
      // the candidate's last term is higher
      [log(1, 1), 2, 1, true],
      [log(1, 1), 2, 2, true],
      [log(1, 1, 1), 2, 1, true],
      // the voter's last term is higher
      [log(1, 2), 1, 1, false],
      [log(1, 2), 1, 2, false],
      [log(1, 2, 2), 1, 1, false],
      [log(1, 1, 1), 1, 1, false],
    ];
    for (const [k, [entries, lastLogTerm, lastLogIndex, granted]] of cases.entries()) {
      const node = newNode({ voters: ['n1', 'n2'], restore: { hardState: hardState(2), entries } });
      drain(node);

      node.step(requestVote('n2', 'n1', 3, lastLogIndex, lastLogTerm));
      const rd = drain(node);

      expect(rd.messages, `case ${k}`).toEqual([voteResponse('n1', 'n2', 3, granted)]);
      expect(node.status().votedFor, `case ${k}`).toBe(granted ? 'n2' : null);
    }
  });
});

describe('Commitment', () => {
  // Reference: section 5.4.2
  it('has a leader commit by counting replicas only entries of its own term', () => {
    const cases: [matchIndex: number, commitIndex: number][] = [
      // entries of earlier terms are not committed by counting replicas
      [1, 0],
      [2, 0],
      // the noop of the current term commits them all
      [3, 3],
    ];
    for (const [k, [matchIndex, commitIndex]] of cases.entries()) {
      const leader = newNode({ voters: ['n1', 'n2'], restore: { hardState: hardState(2), entries: log(1, 1, 2) } });
      elect(leader);
      expect(leader.status().term).toBe(3);
      drain(leader);

      leader.step({ type: 'AppendEntriesResponse', from: 'n2', to: 'n1', term: 3, success: true, matchIndex, hintIndex: 0 });
      const rd = drain(leader);

      expect(leader.status().commitIndex, `case ${k}`).toBe(commitIndex);
      expect(rd.committed.map((e) => e.index), `case ${k}`).toEqual(range(1, commitIndex + 1));
    }
  });
});

// ---------------------------------------------------------------------------
// PreVote (Ongaro's dissertation §9.6; the contract of core/raft/types.ts)

describe('PreVote', () => {
  // Reference: dissertation section 9.6
  it('campaigns first as a precandidate that asks for pre-votes without raising its term', () => {
    const node = newNode({ preVote: true });
    for (let t = 1; t < 2 * ELECTION; t++) node.tick();
    const rd = takeReady(node);

    expect(node.status()).toMatchObject({ role: 'precandidate', term: 0, votedFor: null });
    expect(rd.hardState).toBeNull();
    expect(only(rd.messages, 'RequestVote')).toEqual([
      requestVote('n1', 'n2', 1, 0, 0, true),
      requestVote('n1', 'n3', 1, 0, 0, true),
    ]);
  });

  // Reference: dissertation section 9.6
  it('grants a pre-vote without raising its own term or recording a vote', () => {
    const node = newNode({ id: 'n2', preVote: true, restore: { hardState: hardState(1), entries: log(1, 1) } });
    drain(node);

    node.step(requestVote('n1', 'n2', 2, 1, 1, true));
    const rd = drain(node);

    expect(node.status()).toMatchObject({ term: 1, votedFor: null, role: 'follower' });
    expect(rd.hardState).toBeNull();
    expect(rd.messages).toHaveLength(1);
    expect(rd.messages[0]).toMatchObject({ type: 'RequestVoteResponse', from: 'n2', to: 'n1', voteGranted: true, preVote: true });
  });

  // Reference: dissertation section 9.6
  it('refuses a pre-vote to a node whose log is less up-to-date', () => {
    const node = newNode({ id: 'n2', preVote: true, restore: { hardState: hardState(1), entries: log(1, 1) } });
    drain(node);

    node.step(requestVote('n1', 'n2', 2, 0, 0, true));
    const rd = drain(node);

    expect(node.status().term).toBe(1);
    expect(rd.messages).toHaveLength(1);
    expect(rd.messages[0]).toMatchObject({ type: 'RequestVoteResponse', from: 'n2', to: 'n1', voteGranted: false, preVote: true });
  });

  // Reference: dissertation section 9.6
  it('becomes a candidate of the next term once a majority grants pre-votes', () => {
    const n1 = newNode({ preVote: true });
    const n2 = newNode({ id: 'n2', preVote: true, seed: 2 });
    n1.campaign();
    const [toN2] = only(drain(n1).messages, 'RequestVote').filter((m) => m.to === 'n2');
    if (toN2 === undefined) throw new Error('no pre-vote request to n2');
    expect(n1.status()).toMatchObject({ role: 'precandidate', term: 0 });

    n2.step(toN2);
    for (const m of drain(n2).messages) n1.step(m);
    const rd = takeReady(n1);

    expect(n2.status()).toMatchObject({ term: 0, votedFor: null });
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 1, votedFor: 'n1' });
    expect(rd.hardState).toEqual(hardState(1, 'n1', 0));
    expect(only(rd.messages, 'RequestVote')).toEqual([
      requestVote('n1', 'n2', 1, 0, 0, false),
      requestVote('n1', 'n3', 1, 0, 0, false),
    ]);
  });

  // Reference: dissertation section 9.6
  it('keeps the term of a node cut off from the others however many timeouts pass', () => {
    const node = newNode({ preVote: true, restore: { hardState: hardState(1), entries: log(1, 1) } });
    for (let t = 0; t < 10 * ELECTION; t++) {
      node.tick();
      drain(node);
    }
    expect(node.status()).toMatchObject({ role: 'precandidate', term: 1 });

    // Back on the network, it follows the leader of term 1 without disturbing it.
    node.step(appendEntries('n2', 'n1', 1, 1, 1, [], 1));
    const rd = drain(node);
    expect(node.status()).toMatchObject({ role: 'follower', term: 1, leaderId: 'n2', commitIndex: 1 });
    expect(only(rd.messages, 'AppendEntriesResponse')[0]).toMatchObject({ to: 'n2', term: 1, success: true });
  });
});

// ---------------------------------------------------------------------------
// CheckQuorum (dissertation §6.2; paper section 6, disruptive servers; the contract of core/raft/types.ts)

describe('CheckQuorum', () => {
  // Reference: dissertation section 6.2
  it('steps a leader down when it has not heard from a majority within an election timeout', () => {
    const leader = newNode({ checkQuorum: true });
    elect(leader);
    drain(leader);

    for (let t = 1; t < ELECTION; t++) leader.tick();
    drain(leader);
    expect(leader.status().role).toBe('leader');

    for (let t = ELECTION; t < 3 * ELECTION; t++) {
      leader.tick();
      drain(leader);
    }
    expect(leader.status()).toMatchObject({ role: 'follower', term: 1 });
    expect(leader.propose(bytes('x'))).toMatchObject({ ok: false, reason: 'not-leader' });
  });

  // Reference: dissertation section 6.2
  it('keeps a leader that hears from a majority', () => {
    const leader = newNode({ checkQuorum: true });
    elect(leader);
    for (let t = 0; t < 5 * ELECTION; t++) {
      for (const m of only(drain(leader).messages, 'AppendEntries')) {
        if (m.to === 'n2') leader.step(acceptAndReply(m));
      }
      leader.tick();
    }
    expect(leader.status()).toMatchObject({ role: 'leader', term: 1 });
  });

  // Reference: section 6 (disruptive servers); dissertation section 4.2.3
  it('has a follower ignore a RequestVote within the minimum election timeout of hearing from the leader', () => {
    const node = newNode({ checkQuorum: true, random: () => 0.99 });
    node.step(appendEntries('n2', 'n1', 1, 0, 0));
    drain(node);

    node.step(requestVote('n3', 'n1', 2, 0, 0));
    const rd = drain(node);

    expect(node.status()).toMatchObject({ term: 1, votedFor: null, leaderId: 'n2', role: 'follower' });
    expect(only(rd.messages, 'RequestVoteResponse').filter((m) => m.voteGranted)).toEqual([]);

    // Once the minimum election timeout has passed without the leader, the vote is granted.
    for (let t = 0; t < ELECTION; t++) node.tick();
    expect(node.status().role).toBe('follower');
    drain(node);
    node.step(requestVote('n3', 'n1', 2, 0, 0));
    expect(drain(node).messages).toEqual([voteResponse('n1', 'n3', 2, true)]);
    expect(node.status()).toMatchObject({ term: 2, votedFor: 'n3' });
  });

  // Reference: section 6 (disruptive servers); dissertation section 9.6
  it('has a follower refuse pre-votes while it hears from the leader', () => {
    const node = newNode({ checkQuorum: true, preVote: true, random: () => 0.99 });
    node.step(appendEntries('n2', 'n1', 1, 0, 0));
    drain(node);

    node.step(requestVote('n3', 'n1', 2, 0, 0, true));
    const rd = drain(node);

    expect(node.status()).toMatchObject({ term: 1, votedFor: null, leaderId: 'n2' });
    expect(only(rd.messages, 'RequestVoteResponse').filter((m) => m.voteGranted)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Leadership transfer (dissertation §3.10; the contract of core/raft/types.ts)

describe('LeadershipTransfer', () => {
  // Reference: dissertation section 3.10
  it('sends TimeoutNow to an up-to-date target and refuses proposals meanwhile', () => {
    const leader = newLeader();

    leader.transferLeadership('n2');
    const rd = drain(leader);

    expect(only(rd.messages, 'TimeoutNow')).toEqual([{ type: 'TimeoutNow', from: 'n1', to: 'n2', term: 1 }]);
    expect(leader.propose(bytes('x'))).toEqual({ ok: false, reason: 'transferring', leaderId: 'n1' });
  });

  // Reference: dissertation section 3.10
  it('catches a lagging target up before sending it TimeoutNow', () => {
    const leader = newNode();
    elect(leader);
    const rd = drain(leader);
    const appends = only(rd.messages, 'AppendEntries');
    const toN2 = appends.find((m) => m.to === 'n2');
    const toN3 = appends.find((m) => m.to === 'n3');
    if (toN2 === undefined || toN3 === undefined) throw new Error('no noop AppendEntries');
    leader.step(acceptAndReply(toN2));
    drain(leader);

    leader.transferLeadership('n3');
    expect(only(drain(leader).messages, 'TimeoutNow')).toEqual([]);

    leader.step(acceptAndReply(toN3));
    expect(only(drain(leader).messages, 'TimeoutNow')).toEqual([{ type: 'TimeoutNow', from: 'n1', to: 'n3', term: 1 }]);
  });

  // Reference: dissertation section 3.10
  it('gives up, accepting proposals again, when the target does not take over within an election timeout', () => {
    const leader = newLeader();
    leader.transferLeadership('n2');
    drain(leader);

    for (let t = 1; t < ELECTION; t++) {
      leader.tick();
      drain(leader);
    }
    expect(leader.propose(bytes('x'))).toMatchObject({ ok: false, reason: 'transferring' });

    for (let t = ELECTION; t <= 2 * ELECTION; t++) {
      leader.tick();
      drain(leader);
    }
    expect(leader.status().role).toBe('leader');
    expect(leader.propose(bytes('x'))).toMatchObject({ ok: true, term: 1 });
  });

  // Reference: dissertation section 3.10
  it('has the target of TimeoutNow campaign at once in the next term, skipping the pre-vote', () => {
    const node = newNode({ preVote: true, checkQuorum: true });
    node.step(appendEntries('n2', 'n1', 1, 0, 0));
    drain(node);

    node.step({ type: 'TimeoutNow', from: 'n2', to: 'n1', term: 1 });
    const rd = drain(node);

    expect(node.status()).toMatchObject({ role: 'candidate', term: 2, votedFor: 'n1' });
    expect(only(rd.messages, 'RequestVote')).toEqual([
      requestVote('n1', 'n2', 2, 0, 0, false, true),
      requestVote('n1', 'n3', 2, 0, 0, false, true),
    ]);
  });

  // Reference: dissertation section 3.10
  it('has a follower grant a transfer RequestVote even while it hears from the leader', () => {
    const node = newNode({ id: 'n3', checkQuorum: true, random: () => 0.99 });
    node.step(appendEntries('n1', 'n3', 1, 0, 0));
    drain(node);

    node.step(requestVote('n2', 'n3', 2, 0, 0, false, true));

    expect(drain(node).messages).toEqual([voteResponse('n3', 'n2', 2, true)]);
    expect(node.status()).toMatchObject({ term: 2, votedFor: 'n2' });
  });
});

// ---------------------------------------------------------------------------
// Membership: learners and configuration entries (paper section 6; the contract of core/raft/types.ts)

describe('Membership', () => {
  // Reference: section 6
  it('has a learner campaign only once a committed configuration makes it a voter', () => {
    const node = newNode({ id: 'n4', learners: ['n4'] });
    for (let t = 0; t < 5 * ELECTION; t++) node.tick();
    node.campaign();
    expect(node.status().role).toBe('follower');
    expect(only(drain(node).messages, 'RequestVote')).toEqual([]);

    // The configuration that promotes it, not yet committed
    const promoted: Membership = { voters: ids(4), learners: [] };
    node.step(appendEntries('n1', 'n4', 1, 0, 0, [entry(1, 1, 'noop'), configEntry(2, 1, promoted)], 1));
    drain(node);
    expect(node.status().membership.voters.slice().sort()).toEqual(ids(4));
    for (let t = 0; t < 5 * ELECTION; t++) node.tick();
    expect(node.status().role).toBe('follower');
    expect(only(drain(node).messages, 'RequestVote')).toEqual([]);

    // … and committed
    node.step(appendEntries('n1', 'n4', 1, 2, 1, [], 2));
    drain(node);
    expect(node.status().commitIndex).toBe(2);
    for (let t = 1; t < 2 * ELECTION; t++) node.tick();
    expect(node.status()).toMatchObject({ role: 'candidate', term: 2 });
    expect(only(drain(node).messages, 'RequestVote').map((m) => m.to)).toEqual(['n1', 'n2', 'n3']);
  });

  // Reference: section 6
  it('replicates to learners without counting them toward a commit', () => {
    const leader = newNode({ learners: ['n4'] });
    elect(leader);
    const rd = drain(leader);
    const appends = only(rd.messages, 'AppendEntries');
    expect(appends.map((m) => m.to)).toEqual(['n2', 'n3', 'n4']);

    for (const m of appends) if (m.to === 'n4') leader.step(acceptAndReply(m));
    drain(leader);
    expect(leader.status().commitIndex).toBe(0);

    for (const m of appends) if (m.to === 'n2') leader.step(acceptAndReply(m));
    expect(leader.status().commitIndex).toBe(1);
  });

  // Reference: section 6
  it('writes a membership change as a config entry holding the whole new membership', () => {
    const leader = newLeader();

    const result = leader.changeMembership({ type: 'addLearner', id: 'n4' });

    expect(result).toEqual({ ok: true, index: 2, term: 1 });
    const [config] = takeReady(leader).entries;
    expect(config).toMatchObject({ index: 2, term: 1, kind: 'config' });
    const membership = JSON.parse(new TextDecoder().decode(config?.data)) as Membership;
    expect(membership.voters.slice().sort()).toEqual(ids(3));
    expect(membership.learners).toEqual(['n4']);
    // The leader uses the latest membership in its log at once.
    expect(leader.status().membership.learners).toEqual(['n4']);
    expect(Object.keys(leader.status().progress ?? {}).sort()).toEqual(ids(4));
  });

  // Reference: section 6
  it('refuses a membership change while another is uncommitted or before the leader commits in its term', () => {
    const leader = newNode();
    elect(leader);
    const rd = drain(leader);
    expect(leader.changeMembership({ type: 'addLearner', id: 'n4' }))
      .toEqual({ ok: false, reason: 'config-change-pending', leaderId: 'n1' });

    for (const m of only(rd.messages, 'AppendEntries')) leader.step(acceptAndReply(m));
    drain(leader);
    expect(leader.changeMembership({ type: 'addLearner', id: 'n4' })).toMatchObject({ ok: true, index: 2 });
    expect(leader.changeMembership({ type: 'addVoter', id: 'n4' }))
      .toEqual({ ok: false, reason: 'config-change-pending', leaderId: 'n1' });
    // Ordinary proposals still go through.
    expect(leader.propose(bytes('x'))).toMatchObject({ ok: true, index: 3 });

    const pending = drain(leader);
    for (const m of only(pending.messages, 'AppendEntries')) if (m.to !== 'n4') leader.step(acceptAndReply(m));
    drain(leader);
    expect(leader.status().commitIndex).toBe(3);
    expect(leader.changeMembership({ type: 'addVoter', id: 'n4' })).toMatchObject({ ok: true, index: 4 });
  });
});

// ---------------------------------------------------------------------------
// Log compaction: InstallSnapshot (paper section 7, Figure 13; the contract of core/raft/types.ts)

describe('InstallSnapshot', () => {
  const membership: Membership = { voters: ids(3), learners: ['n4'] };

  // Reference: section 7, Figure 13
  it('keeps the entries after the snapshot when the log holds its last entry', () => {
    const node = newNode({ restore: { hardState: hardState(1), entries: log(1, 1, 1, 1, 1) } });
    drain(node);
    // The log holds the snapshot's last entry, so it holds the same configuration too.
    const snapshot: Snapshot = { index: 2, term: 1, membership: node.status().membership, data: bytes('state at 2') };

    node.step({ type: 'InstallSnapshot', from: 'n2', to: 'n1', term: 1, snapshot });
    const rd = drain(node);

    expect(rd.snapshot).toEqual(snapshot);
    expect(rd.committed.every((e) => e.index > 2)).toBe(true);
    expect(only(rd.messages, 'InstallSnapshotResponse')).toEqual([
      { type: 'InstallSnapshotResponse', from: 'n1', to: 'n2', term: 1, matchIndex: 2 },
    ]);
    expect(node.status()).toMatchObject({ firstIndex: 3, lastIndex: 4, commitIndex: 2, appliedIndex: 2, leaderId: 'n2' });
    expect(holds(node, 'n2', 4, 1)).toBe(true);
  });

  // Reference: section 7, Figure 13
  it('replaces the whole log when the log lacks the snapshot last entry', () => {
    const node = newNode({ restore: { hardState: hardState(1), entries: log(1, 1, 1) } });
    drain(node);
    const snapshot: Snapshot = { index: 5, term: 2, membership, data: bytes('state at 5') };

    node.step({ type: 'InstallSnapshot', from: 'n2', to: 'n1', term: 2, snapshot });
    const rd = drain(node);

    expect(rd.snapshot).toEqual(snapshot);
    expect(rd.committed).toEqual([]);
    expect(only(rd.messages, 'InstallSnapshotResponse')).toEqual([
      { type: 'InstallSnapshotResponse', from: 'n1', to: 'n2', term: 2, matchIndex: 5 },
    ]);
    expect(node.status()).toMatchObject({ term: 2, firstIndex: 6, lastIndex: 5, commitIndex: 5, appliedIndex: 5 });
    expect(node.status().membership).toEqual(membership);
  });

  // Reference: section 7, Figure 13
  it('replaces the whole log when its entry at the snapshot index has another term', () => {
    const node = newNode({ restore: { hardState: hardState(1), entries: log(1, 1, 1, 1, 1) } });
    drain(node);
    const snapshot: Snapshot = { index: 3, term: 2, membership, data: bytes('state at 3') };

    node.step({ type: 'InstallSnapshot', from: 'n2', to: 'n1', term: 2, snapshot });
    const rd = drain(node);

    expect(rd.snapshot).toEqual(snapshot);
    expect(node.status()).toMatchObject({ firstIndex: 4, lastIndex: 3, commitIndex: 3, appliedIndex: 3 });
    expect(holds(node, 'n2', 4, 1)).toBe(false);
    expect(holds(node, 'n2', 3, 2)).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// What the contract promises beyond the paper (the contract of core/raft/types.ts)

describe('Ready', () => {
  // Reference: the contract of core/raft/types.ts
  it('hands over every committed entry, noop and config included, in index order without gaps', () => {
    const node = newNode({ voters: ['n1'] });
    node.campaign();
    const first = drain(node);
    expect(node.status().role).toBe('leader');
    expect(first.committed.map((e) => [e.index, e.kind])).toEqual([[1, 'noop']]);

    expect(node.changeMembership({ type: 'addLearner', id: 'n2' })).toMatchObject({ ok: true, index: 2 });
    expect(node.propose(bytes('a'))).toMatchObject({ ok: true, index: 3 });
    const second = drain(node);
    expect(node.propose(bytes('b'))).toMatchObject({ ok: true, index: 4 });
    const third = drain(node);

    const committed = [...first.committed, ...second.committed, ...third.committed];
    expect(committed.map((e) => [e.index, e.term, e.kind])).toEqual([
      [1, 1, 'noop'], [2, 1, 'config'], [3, 1, 'command'], [4, 1, 'command'],
    ]);
    expect(committed[2]?.data).toEqual(bytes('a'));
    expect(node.status()).toMatchObject({ commitIndex: 4, appliedIndex: 4 });
  });

  // Reference: the contract of core/raft/types.ts
  it('has no work to hand over when nothing happened, and null hard state when it did not change', () => {
    const node = newNode();
    expect(node.hasReady()).toBe(false);

    node.step(appendEntries('n2', 'n1', 1, 0, 0));
    expect(node.hasReady()).toBe(true);
    expect(takeReady(node).hardState).toEqual(hardState(1, null, 0));
    expect(node.hasReady()).toBe(false);

    node.step(appendEntries('n2', 'n1', 1, 0, 0));
    const rd = takeReady(node);
    expect(rd.hardState).toBeNull();
    expect(rd.snapshot).toBeNull();
    expect(rd.messages).toHaveLength(1);
  });
});

describe('Restore', () => {
  // Reference: the contract of core/raft/types.ts
  it('starts appliedIndex at the snapshot index and delivers the committed entries after it again', () => {
    const snapshot: Snapshot = { index: 5, term: 2, membership: { voters: ids(3), learners: [] }, data: bytes('state at 5') };
    const node = new RaftNode({
      id: 'n1',
      membership: { voters: ['n1'], learners: [] },
      electionTicks: ELECTION,
      random: seeded(1),
      restore: { hardState: hardState(3, null, 7), entries: [entry(6, 2), entry(7, 3), entry(8, 3)], snapshot },
    });

    expect(node.status()).toMatchObject({
      term: 3, role: 'follower', appliedIndex: 5, commitIndex: 7, firstIndex: 6, lastIndex: 8,
      membership: snapshot.membership,
    });
    const rd = drain(node);
    expect(rd.snapshot).toBeNull();
    expect(rd.committed.map((e) => [e.index, e.term])).toEqual([[6, 2], [7, 3]]);
    expect(node.status().appliedIndex).toBe(7);
  });

  // Reference: the contract of core/raft/types.ts
  it('delivers every committed entry again after a restore without a snapshot', () => {
    const node = newNode({ restore: { hardState: hardState(2, 'n1', 2), entries: log(1, 1, 2, 2) } });

    expect(node.status()).toMatchObject({ appliedIndex: 0, commitIndex: 2, firstIndex: 1, lastIndex: 3 });
    const rd = drain(node);
    expect(rd.committed.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 2]]);
    expect(node.status().appliedIndex).toBe(2);
  });
});

describe('Proposals', () => {
  // Reference: section 5.1 (clients talk to the leader); the contract of core/raft/types.ts
  it('refuses proposals and membership changes off the leader, naming the leader when known', () => {
    const node = newNode();
    expect(node.propose(bytes('x'))).toEqual({ ok: false, reason: 'not-leader', leaderId: null });

    node.step(appendEntries('n2', 'n1', 1, 0, 0));
    expect(node.propose(bytes('x'))).toEqual({ ok: false, reason: 'not-leader', leaderId: 'n2' });
    expect(node.changeMembership({ type: 'addLearner', id: 'n4' }))
      .toEqual({ ok: false, reason: 'not-leader', leaderId: 'n2' });

    node.campaign();
    expect(node.status().role).toBe('candidate');
    expect(node.propose(bytes('x'))).toEqual({ ok: false, reason: 'not-leader', leaderId: null });
    expect(drain(node).entries).toEqual([]);
  });
});

describe('Status', () => {
  // Reference: the contract of core/raft/types.ts
  it('reports progress only on the leader, one row per member with the leader included', () => {
    const node = newNode({ learners: ['n4'] });
    expect(node.status().progress).toBeNull();

    elect(node);
    const rd = drain(node);
    const progress = node.status().progress;
    expect(Object.keys(progress ?? {}).sort()).toEqual(ids(4));

    const toN2 = only(rd.messages, 'AppendEntries').find((m) => m.to === 'n2');
    if (toN2 === undefined) throw new Error('no AppendEntries to n2');
    node.step(acceptAndReply(toN2));
    expect(node.status().progress?.n2).toMatchObject({ matchIndex: 1, nextIndex: 2 });
    expect(node.status().progress?.n1?.matchIndex).toBe(1);
  });
});

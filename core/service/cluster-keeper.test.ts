// The joining and promotion duties of ClusterKeeper, against a fake peer and a
// fake Raft driver: whom a newcomer asks to join and how often, what a
// newcomer answers, and how fast a leader promotes a learner.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Membership, Message, Status } from '../raft/index.ts';
import type { JoinRequest, JoinResponse, Peer } from '../net/index.ts';
import { Discoverability } from '../net/lan-discovery.ts';
import { ClusterKeeper } from './cluster-keeper.ts';
import type { RaftDriver } from './raft-driver.ts';

const SELF = 'self';

/** FakePeer answers join requests from a table and records whom it asked. */
class FakePeer extends EventTarget {
  readonly peerId = SELF;
  isolated = false;
  /** What each target answers; a missing target fails like an unreachable peer. */
  readonly answers = new Map<string, JoinResponse>();
  readonly asked: string[] = [];
  joinHandler: ((request: JoinRequest, from: string) => Promise<JoinResponse> | JoinResponse) | null = null;
  readonly streams = new Set<string>();
  readonly libp2p = {
    getPeers: () => [] as string[],
    peerStore: { all: async () => [] as Array<{ id: string }> },
    hangUp: async () => {},
  };
  readonly raft = {
    peers: () => [...this.streams],
    addPeer: (id: string) => { this.streams.add(id); },
    isReachable: (id: string) => this.streams.has(id),
    removePeer: (id: string) => { this.streams.delete(id); },
    stats: () => ({ peers: {} }),
  };

  async requestJoin(target: string): Promise<JoinResponse> {
    this.asked.push(target);
    const answer = this.answers.get(target);
    if (answer === undefined) throw new Error(`${target} is unreachable`);
    return answer;
  }
  async handleJoin(handler: FakePeer['joinHandler']): Promise<void> {
    this.joinHandler = handler;
  }
  async handleStatus(): Promise<void> {}
  /** What each member's status answers; a missing member fails like an unreachable peer. */
  readonly statuses = new Map<string, Record<string, unknown>>();
  async fetchStatus(id: string): Promise<Record<string, unknown>> {
    const record = this.statuses.get(id);
    if (record === undefined) throw new Error(`${id} has no status here`);
    return record;
  }
  addrs(): string[] {
    return [];
  }
  async addrsOf(): Promise<string[]> {
    return [];
  }
  discover(id: string): void {
    this.dispatchEvent(new CustomEvent('peer:discovered', { detail: { peerId: id, addrs: [] } }));
  }
}

/** FakeDriver holds a Raft status the test sets, and records membership changes. */
class FakeDriver {
  status: Status;
  readonly changes: string[] = [];
  readonly node = { status: () => this.status };

  constructor(membership: Membership, role: Status['role'] = 'follower') {
    this.status = {
      id: SELF, role, term: 1, leaderId: role === 'leader' ? SELF : null, votedFor: null,
      commitIndex: 1, appliedIndex: 1, firstIndex: 1, lastIndex: 1, membership, progress: role === 'leader' ? {} : null,
    };
  }

  changeMembership(change: { type: string; id: string }): { ok: true; index: number; term: number } {
    this.changes.push(`${change.type} ${change.id}`);
    return { ok: true, index: this.status.lastIndex + 1, term: 1 };
  }
}

async function keeperOf(peer: FakePeer, driver: FakeDriver, discoverability?: Discoverability): Promise<ClusterKeeper> {
  const keeper = new ClusterKeeper({
    peer: peer as unknown as Peer, driver: driver as unknown as RaftDriver, name: 'self', maxVoters: 5, joinTargets: [], log: () => {},
    ...(discoverability !== undefined ? { discoverability } : {}),
  });
  await keeper.start();
  return keeper;
}

/** newcomer is a peer that holds an invite but is no member yet (DESIGN §2: a learner of a group it does not know). */
function newcomer(): FakeDriver {
  return new FakeDriver({ voters: [], learners: [SELF] });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ClusterKeeper', () => {
  it('asks every peer it found at once while it knows no leader, then the leader alone', async () => {
    vi.useFakeTimers();
    const peer = new FakePeer();
    peer.answers.set('other-newcomer', { ok: false, reason: 'not-a-member' });
    peer.answers.set('follower', { ok: false, reason: 'not-leader', leaderId: 'leader' });
    peer.answers.set('leader', { ok: true, leaderId: 'leader', members: [{ id: 'leader', voter: true, addrs: [] }] });
    const keeper = await keeperOf(peer, newcomer());
    peer.discover('other-newcomer');
    peer.discover('follower');
    await vi.advanceTimersByTimeAsync(0);
    // The follower named the leader, which is asked at once, without waiting for a tick.
    expect(peer.asked.sort()).toEqual(['follower', 'leader', 'other-newcomer']);
    peer.asked.length = 0;
    for (let i = 0; i < 30; i++) {
      keeper.tick();
      await vi.advanceTimersByTimeAsync(100);
    }
    // Accepted, it waits for the leader's log and asks the leader alone, once a second.
    expect(new Set(peer.asked)).toEqual(new Set(['leader']));
    expect(peer.asked.length).toBeGreaterThanOrEqual(2);
    expect(peer.asked.length).toBeLessThanOrEqual(3);
  });

  it('asks a peer that cannot help less and less often', async () => {
    vi.useFakeTimers();
    const peer = new FakePeer();
    peer.answers.set('other-newcomer', { ok: false, reason: 'not-a-member' });
    const keeper = await keeperOf(peer, newcomer());
    peer.discover('other-newcomer');
    for (let i = 0; i < 300; i++) {
      keeper.tick();
      await vi.advanceTimersByTimeAsync(100);
    }
    // 30 s: a request once a second would make 30; pauses doubling from 0.25 s up to 8 s make about 8.
    expect(peer.asked.length).toBeGreaterThanOrEqual(5);
    expect(peer.asked.length).toBeLessThanOrEqual(11);
  });

  it('asks nobody once it is a member', async () => {
    const peer = new FakePeer();
    peer.answers.set('leader', { ok: true, leaderId: 'leader' });
    const keeper = await keeperOf(peer, new FakeDriver({ voters: ['leader'], learners: [SELF] }));
    peer.discover('leader');
    keeper.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(peer.asked).toEqual([]);
  });

  it('answers a join request with not-a-member while it is a newcomer itself', async () => {
    const peer = new FakePeer();
    await keeperOf(peer, newcomer());
    const answer = await peer.joinHandler!({ peerId: 'asker', name: 'Asker', addrs: [] }, 'asker');
    expect(answer).toEqual({ ok: false, reason: 'not-a-member' });
    expect(peer.streams.has('asker')).toBe(false); // and opens no raft stream to it
  });

  it('adds a peer that asks to join as a learner, and promotes it when its acknowledgement arrives', async () => {
    const peer = new FakePeer();
    const driver = new FakeDriver({ voters: [SELF], learners: [] }, 'leader');
    const keeper = await keeperOf(peer, driver);
    const answer = await peer.joinHandler!({ peerId: 'newbie', name: 'Newbie', addrs: [] }, 'newbie');
    expect(answer.ok).toBe(true);
    expect(driver.changes).toEqual(['addLearner newbie']);
    // The learner entry (index 2) commits; the learner has not acknowledged it yet.
    driver.status = { ...driver.status, commitIndex: 2, lastIndex: 2, membership: { voters: [SELF], learners: ['newbie'] },
      progress: { newbie: { matchIndex: 0, nextIndex: 2, active: true } } };
    keeper.onMembershipCommitted();
    await new Promise((resolve) => setImmediate(resolve));
    expect(driver.changes).toEqual(['addLearner newbie']);
    // Its acknowledgement arrives: promoted at once, without waiting for the next tick.
    driver.status = { ...driver.status, progress: { newbie: { matchIndex: 2, nextIndex: 3, active: true } } };
    const ack: Message = { type: 'AppendEntriesResponse', from: 'newbie', to: SELF, term: 1, success: true, matchIndex: 2, hintIndex: 0 };
    keeper.onRaftMessage(ack);
    await new Promise((resolve) => setImmediate(resolve));
    expect(driver.changes).toEqual(['addLearner newbie', 'addVoter newbie']);
  });

  it('promotes a learner a few entries behind the commit point, not one far behind', async () => {
    const status = (match: number, commit: number): Partial<Status> => ({
      commitIndex: commit, lastIndex: commit, membership: { voters: [SELF], learners: ['newbie'] },
      progress: { newbie: { matchIndex: match, nextIndex: match + 1, active: true } },
    });
    for (const [match, commit, promoted] of [[3, 6, true], [3, 500, false]] as const) {
      const peer = new FakePeer();
      peer.streams.add('newbie');
      const driver = new FakeDriver({ voters: [SELF], learners: ['newbie'] }, 'leader');
      driver.status = { ...driver.status, ...status(match, commit) };
      const keeper = await keeperOf(peer, driver);
      keeper.tick();
      expect(driver.changes).toEqual(promoted ? ['addVoter newbie'] : []);
    }
  });

  it('shows the peer on mDNS once the leader\'s log made it a member', async () => {
    const driver = newcomer();
    const discoverability = new Discoverability(false);
    const keeper = await keeperOf(new FakePeer(), driver, discoverability);
    keeper.tick();
    expect(discoverability.discoverable).toBe(false);
    driver.status = { ...driver.status, membership: { voters: ['leader'], learners: [SELF] } };
    keeper.tick();
    expect(discoverability.discoverable).toBe(true);
  });

  it('shows what another member says of itself only when it is a role and a term it could have', async () => {
    const peer = new FakePeer();
    const driver = new FakeDriver({ voters: [SELF, 'b', 'c', 'd'], learners: [] }, 'leader');
    for (const id of ['b', 'c', 'd']) peer.raft.addPeer(id);
    peer.statuses.set('b', { name: 'Bea', role: 'follower', term: 1 });
    peer.statuses.set('c', { name: 'Cy', role: '<img src=x>', term: 'many' });
    peer.statuses.set('d', { name: 'Dee', role: 'candidate', term: -3 });
    const keeper = await keeperOf(peer, driver);
    keeper.tick();
    await vi.waitFor(() => expect(keeper.members(driver.status).map((m) => m.name)).toEqual(['self', 'Bea', 'Cy', 'Dee']));
    expect(keeper.members(driver.status).map((m) => [m.role, m.term])).toEqual([['leader', 1], ['follower', 1], ['unknown', 0], ['candidate', 0]]);
  });
});

// Fakes of a running notebook's collaborators for the cluster components'
// unit tests: a network that answers join and status requests from tables
// and records whom it asked, and a driver whose Raft status the test sets.
import type { Membership, SoftState, Status } from '../../raft/index.ts';
import type { JoinRequest, JoinResponse, NotebookNetwork } from '../../net/index.ts';
import type { RaftDriver } from '../raft-driver.ts';

/** SELF is the fakes' own peer id. */
export const SELF = 'self';

/** FakeNetwork answers join requests and status polls from tables and records whom it asked. */
export class FakeNetwork extends EventTarget {
  readonly peerId = SELF;
  isolated = false;
  discoverable = false;
  /** What each target answers a join request; a missing target fails like an unreachable peer. */
  readonly answers = new Map<string, JoinResponse>();
  readonly asked: string[] = [];
  joinHandler: ((request: JoinRequest, from: string) => Promise<JoinResponse> | JoinResponse) | null = null;
  /** What each member's status answers; a missing member fails like an unreachable peer. */
  readonly statuses = new Map<string, Record<string, unknown>>();
  /** The peers the raft transport keeps streams to (and reaches). */
  readonly streams = new Set<string>();
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
  async handleJoin(handler: FakeNetwork['joinHandler']): Promise<void> {
    this.joinHandler = handler;
  }
  async handleStatus(): Promise<void> {}
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
  async knownPeers(): Promise<string[]> {
    return [];
  }
  connectedPeers(): string[] {
    return [];
  }
  async hangUp(): Promise<void> {}
  setDiscoverable(discoverable: boolean): void {
    this.discoverable = discoverable;
  }
  /** discover makes the network tell of a peer found on the LAN. */
  discover(id: string): void {
    this.dispatchEvent(new CustomEvent('peer:discovered', { detail: { peerId: id, addrs: [] } }));
  }
  /** asNetwork is this fake where a NotebookNetwork is asked for. */
  asNetwork(): NotebookNetwork {
    return this as unknown as NotebookNetwork;
  }
}

/** FakeDriver holds a Raft status the test sets, and records membership changes. */
export class FakeDriver {
  status: Status;
  readonly changes: string[] = [];
  readonly node = { status: () => this.status };

  constructor(membership: Membership, role: Status['role'] = 'follower') {
    this.status = {
      id: SELF, role, term: 1, leaderId: role === 'leader' ? SELF : null, votedFor: null,
      commitIndex: 1, appliedIndex: 1, firstIndex: 1, lastIndex: 1, membership, progress: role === 'leader' ? {} : null,
      quiescent: false,
    };
  }

  get softState(): SoftState {
    const { role, term, leaderId, commitIndex, membership } = this.status;
    return { role, term, leaderId, commitIndex, membership };
  }

  /** Whether the driver's clock runs (start/stop). */
  ticking = true;
  start(): void {
    this.ticking = true;
  }
  async stop(): Promise<void> {
    this.ticking = false;
  }

  /** How many of the next changes to refuse as 'config-change-pending' (one under way). */
  refuseChanges = 0;

  changeMembership(change: { type: string; id: string }): { ok: true; index: number; term: number } | { ok: false; reason: 'config-change-pending'; leaderId: string | null } {
    if (this.refuseChanges > 0) {
      this.refuseChanges--;
      return { ok: false, reason: 'config-change-pending', leaderId: this.status.leaderId };
    }
    this.changes.push(`${change.type} ${change.id}`);
    return { ok: true, index: this.status.lastIndex + 1, term: 1 };
  }

  /** asDriver is this fake where a RaftDriver is asked for. */
  asDriver(): RaftDriver {
    return this as unknown as RaftDriver;
  }
}

/** newcomer is a peer that holds an invite but is no member yet (a learner of a group it does not know). */
export function newcomer(): FakeDriver {
  return new FakeDriver({ voters: [], learners: [SELF] });
}

// Progress is the leader's view of one follower's log and how to send to it,
// after etcd/raft's tracker: probe (one message at a time until the match point
// is found), replicate (pipelined within a window), snapshot (waiting for an
// InstallSnapshot to land).
import { Inflights } from './inflights.ts';

/** ProgressState is how the leader sends to a follower. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Progress tracks what the leader knows of one follower's log. */
export class Progress {
  /** The highest index known to match the leader's log. Invariant: match < next. */
  match = 0;
  /** The index of the next entry to send. */
  next: number;
  state: ProgressState = 'probe';
  /** Probe state: a probe is out; wait for its answer or the next heartbeat. */
  probeSent = false;
  /** Snapshot state: the index of the snapshot sent, and ticks since it was sent. */
  pendingSnapshot = 0;
  snapshotTicks = 0;
  /** Set by any answer from the follower; CheckQuorum reads and clears it. */
  recentActive = false;
  /** Leader ticks since match last grew. */
  stalledTicks = 0;
  /** The last leaderCommit sent, so a commit advance is told once. */
  sentCommit = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  /** paused says whether no AppendEntries with entries may be sent now. */
  paused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
    }
  }

  /** maybeUpdate records that the follower holds the log up to `index`; true when match grew. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      this.probeSent = false;
      this.stalledTicks = 0;
      updated = true;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }

  /** sent records an AppendEntries whose entries end at `lastIndex` (none: lastIndex = next - 1). */
  sent(lastIndex: number, entryCount: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot (etcd/raft does the same).
    this.next = this.state === 'snapshot' ? Math.max(this.match, this.pendingSnapshot) + 1 : this.match + 1;
    this.reset('probe');
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.reset('replicate');
  }

  becomeSnapshot(index: number): void {
    this.reset('snapshot');
    this.pendingSnapshot = index;
  }

  private reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }
}

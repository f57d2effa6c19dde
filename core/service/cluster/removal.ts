// Removal follows whether this peer is still a member of its notebook. The
// leader stops sending a removed peer the log, so the peer learns it either
// from its own log (a configuration that no longer names it, after one that
// did: dissertation §4.2.2) or, when it was away at the time, from the
// leader's status record, which lists the leader's members (ClusterView's
// onLeaderMembers). A removed peer stops its driver's clock (no campaigns),
// refuses writes, and may ask to join again: a Joiner asks the members until
// its log, or a leader, names it again.
import type { Membership } from '../../raft/index.ts';
import type { NotebookNetwork } from '../../net/index.ts';
import type { Clock } from '../clock.ts';
import { ServiceError } from '../errors.ts';
import type { RaftDriver } from '../raft-driver.ts';
import { Joiner } from './joiner.ts';
import type { MemberNames } from './member-names.ts';

/** RemovalInit is what following the removal needs. */
export interface RemovalInit {
  network: NotebookNetwork;
  driver: RaftDriver;
  clock: Clock;
  names: MemberNames;
  /** Where to ask to join first (the invite's and --peer addresses), besides the members. */
  joinTargets: string[];
  log: (line: string) => void;
  /** Called when `removed` changed. */
  onChange: () => void;
}

/** Removal tells whether this peer was removed from its notebook, and asks to join again on request. */
export class Removal {
  private readonly init: RemovalInit;
  /** Set once this peer learned it was removed; `by` is the leader that told it, when one did. */
  private removal: { by: string | null } | null = null;
  /** Asks to join again after a removal, until the log or a leader names this peer again. */
  private rejoiner: Joiner | null = null;
  /** Whether a membership of the log named this peer among a group with voters (a joining peer's bootstrap membership does not count). */
  private wasMember = false;
  private stopped = false;

  constructor(init: RemovalInit) {
    this.init = init;
  }

  /** removed says whether this peer learned it was removed from the notebook. */
  get removed(): boolean {
    return this.removal !== null;
  }

  stop(): void {
    this.stopped = true;
    this.rejoiner?.stop();
    this.rejoiner = null;
  }

  /** membershipChanged follows the log's latest membership: one that no longer names this peer, after one that did, removed it. */
  membershipChanged(membership: Membership): void {
    const self = this.init.network.peerId;
    if (membership.voters.length === 0) return;
    if (membership.voters.includes(self) || membership.learners.includes(self)) {
      this.wasMember = true;
      if (this.rejoiner !== null) this.rejoined(null);
    } else if (this.wasMember) {
      this.remove(null);
    }
  }

  /** leaderMembers hears the members a leader of this peer's term or a newer one lists: a peer it does not list was removed. */
  leaderMembers(leader: string, members: string[]): void {
    const listed = members.includes(this.init.network.peerId);
    if (this.rejoiner !== null) {
      if (listed) this.rejoined(leader);
    } else if (!listed) {
      this.remove(leader);
    }
  }

  /**
   * rejoin asks the notebook's members to add this removed peer again: it
   * takes part again at once (campaigning once a committed configuration
   * makes it a voter), and asks until its log or a leader names it.
   */
  rejoin(): void {
    if (this.removal === null) {
      throw new ServiceError('not-removed', 'This peer is a member of the notebook: only a removed peer can ask to join again or leave. To leave, ask the leader to remove it first.');
    }
    const { network, clock, names, driver, log } = this.init;
    this.removal = null;
    // Its log still holds the configuration that removed it: only a configuration after it counts again.
    this.wasMember = false;
    const { voters, learners } = driver.softState.membership;
    const targets = [...new Set([...this.init.joinTargets, ...voters, ...learners])].filter((id) => id !== network.peerId);
    this.rejoiner = new Joiner({ network, clock, names, targets, log });
    void this.rejoiner.start();
    driver.start();
    log('asking to join the notebook again');
    this.init.onChange();
  }

  /** rejoined ends a rejoin: a leader lists this peer again, or its log names it again. */
  private rejoined(leader: string | null): void {
    this.rejoiner?.stop();
    this.rejoiner = null;
    this.init.log(`${leader === null ? 'the leader' : this.init.names.label(leader)} added this peer to the notebook again`);
  }

  /** remove stops this peer taking part: its driver stops ticking (no more campaigns); writes are refused (RunningNotebook). */
  private remove(by: string | null): void {
    if (this.removal !== null || this.rejoiner !== null || this.stopped) return;
    this.removal = { by };
    void this.init.driver.stop();
    const who = by === null ? '' : ` (${this.init.names.label(by)}, the leader, no longer lists it)`;
    this.init.log(`this peer was removed from the notebook${who}; it takes no more part. Leave the notebook, or ask to join again.`);
    this.init.onChange();
  }
}

// ClusterView is the cluster as one peer sees it: a row per member with its
// name, role, term and reachability (GET /api/status `members`). Raft tells a
// peer its own role only, so every STATUS_POLL_MS the view asks the other
// members for theirs (the status protocol) and answers their questions with
// its own record. It calls `onChange` when a row may look different: a member
// told another role, term or name, or its record went stale.
//
// While nothing changed here (term, leader), a member that answered the last
// question is asked again only every STATUS_REFRESH_MS, which keeps its row
// fresh: the three status questions and answers a second between every two
// followers were most of what three idle peers sent each other. A member that
// did not answer is asked every round, and one that does not answer
// SILENT_POLLS_BEFORE_HANGUP rounds in a row has its connection closed: a
// link cut at a switch sends no reset, and TCP retries ever more slowly, so
// the transport's redial loop must take over.
//
// A record tells the members of the answering peer's latest membership: from
// a leader of this peer's term or a newer one, that is how a peer removed
// while it was away learns it (onLeaderMembers), since the leader no longer
// sends it the log.
import type { Status } from '../../raft/index.ts';
import type { NotebookNetwork, StatusRecord } from '../../net/index.ts';
import type { Clock } from '../clock.ts';
import type { RaftDriver } from '../raft-driver.ts';
import { MEMBER_ROLES, type Member, type MemberRole } from '../views.ts';
import type { MemberAddresses } from './member-addresses.ts';
import type { MemberNames } from './member-names.ts';

const STATUS_POLL_MS = 500;
const STATUS_TIMEOUT_MS = 1_000;
/** How often a member that answers is asked while nothing changed (its record stays fresh). */
const STATUS_REFRESH_MS = 1_500;
/** A member's record older than this shows its role as unknown. */
const STATUS_FRESH_MS = 3 * STATUS_POLL_MS + STATUS_TIMEOUT_MS;
const SILENT_POLLS_BEFORE_HANGUP = 3;

/** ClusterViewInit is what the view works with. */
export interface ClusterViewInit {
  network: NotebookNetwork;
  driver: RaftDriver;
  clock: Clock;
  names: MemberNames;
  addresses: MemberAddresses;
  /** This peer's display name, told in its status record. */
  name: string;
  /** Called when the rows may have changed. */
  onChange: () => void;
  /** Called with the members a leader of this peer's term or a newer one lists (its latest membership), at each answer. */
  onLeaderMembers?: (leader: string, members: string[]) => void;
  log: (line: string) => void;
}

/** RemoteRecord is what the last status answer of a member said, and when it came. */
interface RemoteRecord {
  role: MemberRole;
  term: number;
  at: number;
}

/** ClusterView polls the members' status and builds the rows of the cluster view. */
export class ClusterView {
  private readonly init: ClusterViewInit;
  private readonly remote = new Map<string, RemoteRecord>();
  /** The term and leader as of the last poll round. */
  private polledTerm = -1;
  private polledLeader: string | null = null;
  /** Consecutive status polls each member did not answer. */
  private readonly silent = new Map<string, number>();
  /** Members whose rows showed a fresh record at the last round (a record going stale changes the row). */
  private readonly freshAtPoll = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(init: ClusterViewInit) {
    this.init = init;
    // This peer's own name enters the names here, for the rows and for the join answers alike.
    init.names.set(init.network.peerId, init.name);
  }

  /** start answers other members' status questions and polls theirs every STATUS_POLL_MS. */
  async start(): Promise<void> {
    await this.init.network.handleStatus(() => this.ownRecord());
    this.timer = setInterval(() => { void this.poll(); }, STATUS_POLL_MS);
    void this.poll();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * members is the cluster view: one row per member of the latest membership.
   * Only the leader of the current term (the highest term this peer knows of)
   * is shown as leader: a member whose last record says it led an older term
   * (a leader killed or cut off since) shows as unknown.
   */
  members(status: Status): Member[] {
    const { network, names } = this.init;
    const now = this.init.clock.now();
    const isFresh = (seen: RemoteRecord | undefined): seen is RemoteRecord => seen !== undefined && now - seen.at < STATUS_FRESH_MS;
    let currentTerm = status.term;
    for (const seen of this.remote.values()) if (isFresh(seen)) currentTerm = Math.max(currentTerm, seen.term);
    const remoteRole = (id: string, seen: RemoteRecord): MemberRole => {
      if (seen.role !== 'leader') return seen.role;
      // Raft §5.2: at most one leader per term; this peer's own leader of that term is the one.
      const current = seen.term === currentTerm && (status.term < seen.term || status.leaderId === null || status.leaderId === id);
      return current ? 'leader' : 'unknown';
    };
    const rows: Member[] = [];
    const add = (id: string, voter: boolean) => {
      const self = id === network.peerId;
      const seen = this.remote.get(id);
      rows.push({
        id,
        name: names.get(id) ?? id.slice(-8),
        voter,
        role: self ? status.role : isFresh(seen) ? remoteRole(id, seen) : 'unknown',
        term: self ? status.term : seen?.term ?? 0,
        reachable: self || (!network.isolated && network.raft.isReachable(id)),
        matchIndex: status.progress?.[id]?.matchIndex ?? null,
      });
    };
    for (const id of status.membership.voters) add(id, true);
    for (const id of status.membership.learners) add(id, false);
    return rows;
  }

  /** ownRecord is this peer's answer to another member's status question. */
  private async ownRecord(): Promise<StatusRecord> {
    const s = this.init.driver.node.status();
    return { name: this.init.name, role: s.role, term: s.term, leaderId: s.leaderId, commitIndex: s.commitIndex, lastIndex: s.lastIndex,
      members: [...s.membership.voters, ...s.membership.learners], addrs: await this.init.addresses.forStatus(s) };
  }

  private async poll(): Promise<void> {
    const { network } = this.init;
    if (this.polling || network.isolated) return;
    this.polling = true;
    try {
      if (await this.pollRound()) this.init.onChange();
    } finally {
      this.polling = false;
    }
  }

  /** pollRound asks the members that are due for their status; true when a row changed. */
  private async pollRound(): Promise<boolean> {
    const { network, driver } = this.init;
    const status = driver.node.status();
    const others = [...status.membership.voters, ...status.membership.learners].filter((id) => id !== network.peerId);
    const changed = status.term !== this.polledTerm || status.leaderId !== this.polledLeader;
    this.polledTerm = status.term;
    this.polledLeader = status.leaderId;
    let rowsChanged = false;
    await Promise.all(others.map(async (id) => {
      if (!network.raft.isReachable(id)) return;
      const seen = this.remote.get(id);
      if (!changed && !this.silent.has(id) && seen !== undefined && this.init.clock.now() - seen.at < STATUS_REFRESH_MS) return;
      try {
        const record = await network.fetchStatus(id, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
        this.silent.delete(id);
        if (this.take(id, record)) rowsChanged = true;
      } catch {
        const misses = (this.silent.get(id) ?? 0) + 1;
        this.silent.set(id, misses);
        if (misses >= SILENT_POLLS_BEFORE_HANGUP) {
          this.silent.delete(id);
          this.init.log(`no answer from ${this.init.names.label(id)}; reconnecting`);
          await network.hangUp(id);
        }
      }
    }));
    return this.freshnessChanged(others) || rowsChanged;
  }

  /** take keeps what a member's status record tells; true when its row changes. */
  private take(id: string, record: StatusRecord): boolean {
    const { names, addresses, driver } = this.init;
    let changed = false;
    if (typeof record['name'] === 'string') {
      const before = names.get(id);
      names.set(id, record['name']);
      changed = names.get(id) !== before;
    }
    const addrs = record['addrs'];
    if (typeof addrs === 'object' && addrs !== null) addresses.learn(addrs as Record<string, unknown>, driver.node.status());
    const before = this.remote.get(id);
    const now: RemoteRecord = { role: remoteRole(record['role']), term: remoteTerm(record['term']), at: this.init.clock.now() };
    this.remote.set(id, now);
    const members = record['members'];
    if (now.role === 'leader' && now.term >= driver.node.status().term && Array.isArray(members) && members.length > 0
      && members.every((m) => typeof m === 'string')) this.init.onLeaderMembers?.(id, members as string[]);
    return changed || before === undefined || before.role !== now.role || before.term !== now.term;
  }

  /** freshnessChanged tells whether a member's record went stale (or fresh again) since the last round. */
  private freshnessChanged(members: string[]): boolean {
    const now = this.init.clock.now();
    let changed = false;
    for (const id of members) {
      const seen = this.remote.get(id);
      const fresh = seen !== undefined && now - seen.at < STATUS_FRESH_MS;
      if (fresh !== this.freshAtPoll.has(id)) {
        changed = true;
        if (fresh) this.freshAtPoll.add(id);
        else this.freshAtPoll.delete(id);
      }
    }
    return changed;
  }
}

/** remoteRole is the role another peer's status reports, or 'unknown' for anything else it might send. */
function remoteRole(value: unknown): MemberRole {
  return (MEMBER_ROLES as readonly unknown[]).includes(value) ? value as MemberRole : 'unknown';
}

/** remoteTerm is the term another peer's status reports, or 0 when it is not a whole number from 0. */
function remoteTerm(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

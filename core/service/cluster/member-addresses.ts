// MemberAddresses knows where the notebook's members listen: this peer's own
// addresses, what the network learned of the others (mDNS, identify, dials),
// and what other members tell in their status records. Members pass them on
// in join answers and status records: without mDNS, followers learn each
// other's addresses only that way.
import type { Status } from '../../raft/index.ts';
import { MAX_JOIN_ADDRS, type NotebookNetwork } from '../../net/index.ts';
import type { Clock } from '../clock.ts';

/** STATUS_ADDRS_MS is how long the addresses put in status answers are reused. */
const STATUS_ADDRS_MS = 2_000;

/** MemberAddresses collects and hands out the members' addresses. */
export class MemberAddresses {
  private readonly network: NotebookNetwork;
  private readonly clock: Clock;
  /** The addresses learned for each member, so known ones are not stored again. */
  private readonly learned = new Map<string, Set<string>>();
  /** The addresses of the last status answer, while reusable (forStatus). */
  private kept: { at: number; members: string; addrs: Promise<Record<string, string[]>> } | null = null;

  constructor(network: NotebookNetwork, clock: Clock) {
    this.network = network;
    this.clock = clock;
  }

  /** of is where each member of `status`'s membership listens, as far as this peer knows. */
  async of(status: Status): Promise<Record<string, string[]>> {
    const { network } = this;
    const out: Record<string, string[]> = {};
    for (const id of [...status.membership.voters, ...status.membership.learners]) {
      out[id] = id === network.peerId ? network.addrs() : await network.addrsOf(id);
    }
    return out;
  }

  /**
   * forStatus is `of` for status answers, kept up to STATUS_ADDRS_MS while the
   * membership stays and every member has addresses: reading them from libp2p
   * cost more than the rest of an answer (bench/results/design.md).
   */
  forStatus(status: Status): Promise<Record<string, string[]>> {
    const members = [...status.membership.voters, ...status.membership.learners].join(' ');
    const kept = this.kept;
    if (kept !== null && kept.members === members && this.clock.now() - kept.at < STATUS_ADDRS_MS) return kept.addrs;
    const addrs = this.of(status);
    this.kept = null;
    void addrs.then((all) => {
      if (Object.values(all).every((list) => list.length > 0)) this.kept = { at: this.clock.now(), members, addrs };
    }, () => {});
    return addrs;
  }

  /** learn keeps a stream to each member another peer told the addresses of (a status record's `addrs`). */
  learn(addrs: Record<string, unknown>, status: Status): void {
    const { network } = this;
    for (const [id, list] of Object.entries(addrs)) {
      if (id === network.peerId || !isMember(status, id) || !Array.isArray(list)) continue;
      const valid = list.filter((a): a is string => typeof a === 'string' && a.startsWith('/')).slice(0, MAX_JOIN_ADDRS);
      // Members may list different addresses for one peer: store only news, or polls would store them in turn.
      const known = this.learned.get(id) ?? new Set<string>();
      if (valid.length === 0 || valid.every((a) => known.has(a))) continue; // the peer store has them already
      try {
        network.raft.addPeer(id, valid);
        for (const a of valid) known.add(a);
        if (known.size > 4 * MAX_JOIN_ADDRS) known.clear(); // bounded; storing again is only a cost
        this.learned.set(id, known);
      } catch {
        // a malformed address from another peer is ignored
      }
    }
  }
}

/** isMember tells whether `id` is a voter or learner of `status`'s membership. */
export function isMember(status: Pick<Status, 'membership'>, id: string): boolean {
  return status.membership.voters.includes(id) || status.membership.learners.includes(id);
}

// A simulated network on logical ticks: every message gets a delivery tick drawn
// from the seeded Rng, and may be lost, duplicated or held back (reordered).
// Partitions, isolated nodes and cut links are checked when a message is sent
// and again when it would be delivered, so a cut also stops what is in flight.

import type { Message, MessageType, NodeId } from '../../core/raft/index.ts';
import type { Rng } from '../../core/testing/rng.ts';

/** NetworkOptions sets how unreliable the simulated network is; delays are in ticks. */
export interface NetworkOptions {
  /** Fewest ticks between send and delivery; at least 1. */
  minDelay: number;
  /** Most ticks between send and delivery (before any reorder delay). */
  maxDelay: number;
  /** Chance that a message is lost. */
  dropRate: number;
  /** Chance that a message is delivered twice (at independently drawn ticks). */
  dupRate: number;
  /** Chance that a message is held back for up to `reorderDelay` extra ticks, so later ones overtake it. */
  reorderRate: number;
  reorderDelay: number;
}

/** RELIABLE delivers every message exactly once, one tick after it was sent, in order. */
export const RELIABLE: NetworkOptions = {
  minDelay: 1, maxDelay: 1, dropRate: 0, dupRate: 0, reorderRate: 0, reorderDelay: 0,
};

/** UNRELIABLE loses 10%, duplicates 5%, jitters delays and reorders a few messages by a long way. */
export const UNRELIABLE: NetworkOptions = {
  minDelay: 1, maxDelay: 4, dropRate: 0.1, dupRate: 0.05, reorderRate: 0.05, reorderDelay: 25,
};

/** NetworkStats counts messages by what became of them. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Sent messages by type. */
  byType: Record<MessageType, number>;
}

/** NetworkEvent is one message being sent or delivered, for tests that watch the traffic. */
export interface NetworkEvent {
  kind: 'send' | 'deliver';
  tick: number;
  message: Message;
}

function emptyStats(): NetworkStats {
  return {
    sent: 0, delivered: 0, dropped: 0, duplicated: 0,
    byType: {
      RequestVote: 0, RequestVoteResponse: 0, AppendEntries: 0, AppendEntriesResponse: 0,
      InstallSnapshot: 0, InstallSnapshotResponse: 0, TimeoutNow: 0,
    },
  };
}

/** cloneMessage copies a message as a wire would, so sender and receiver share no objects. */
export function cloneMessage(m: Message): Message {
  switch (m.type) {
    case 'AppendEntries':
      return { ...m, entries: m.entries.map((e) => ({ ...e, data: e.data.slice() })) };
    case 'InstallSnapshot':
      return {
        ...m,
        snapshot: {
          ...m.snapshot,
          data: m.snapshot.data.slice(),
          membership: { voters: [...m.snapshot.membership.voters], learners: [...m.snapshot.membership.learners] },
        },
      };
    case 'RequestVote':
    case 'RequestVoteResponse':
    case 'AppendEntriesResponse':
    case 'InstallSnapshotResponse':
    case 'TimeoutNow':
      return { ...m };
    default: {
      const never: never = m;
      throw new Error(`unknown message type: ${JSON.stringify(never)}`);
    }
  }
}

/** SimNetwork holds the messages in flight and the faults that apply to them. */
export class SimNetwork {
  options: NetworkOptions;
  stats: NetworkStats = emptyStats();
  readonly #rng: Rng;
  /** Messages in flight by the tick they are due. */
  readonly #due = new Map<number, Message[]>();
  /** Partition group of each node; null when there is no partition. Nodes in no group are alone. */
  #groups: Map<NodeId, number> | null = null;
  readonly #isolated = new Set<NodeId>();
  /** Cut links as `from>to`. */
  readonly #cuts = new Set<string>();
  readonly #listeners = new Set<(event: NetworkEvent) => void>();

  constructor(rng: Rng, options: NetworkOptions = RELIABLE) {
    this.#rng = rng;
    this.options = { ...options };
  }

  /** configure replaces some of the options (for instance to make the network reliable again). */
  configure(options: Partial<NetworkOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** listen calls `fn` for every message sent or delivered; it returns a function that stops it. */
  listen(fn: (event: NetworkEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** resetStats starts the counters again from zero. */
  resetStats(): void {
    this.stats = emptyStats();
  }

  /** send puts a message in flight at tick `now`, unless the link is down or the network loses it. */
  send(message: Message, now: number): void {
    this.stats.sent++;
    this.stats.byType[message.type]++;
    for (const fn of this.#listeners) fn({ kind: 'send', tick: now, message });
    if (!this.canTalk(message.from, message.to) || this.#rng.chance(this.options.dropRate)) {
      this.stats.dropped++;
      return;
    }
    this.#enqueue(cloneMessage(message), now);
    if (this.#rng.chance(this.options.dupRate)) {
      this.stats.duplicated++;
      this.#enqueue(cloneMessage(message), now);
    }
  }

  /** deliverDue takes the messages due at tick `now` whose link is still up, in send order. */
  deliverDue(now: number): Message[] {
    const due = this.#due.get(now);
    if (due === undefined) return [];
    this.#due.delete(now);
    const out: Message[] = [];
    for (const message of due) {
      if (!this.canTalk(message.from, message.to)) {
        this.stats.dropped++;
        continue;
      }
      this.stats.delivered++;
      for (const fn of this.#listeners) fn({ kind: 'deliver', tick: now, message });
      out.push(message);
    }
    return out;
  }

  /** inFlight counts the messages sent but not yet delivered or dropped. */
  inFlight(): number {
    let n = 0;
    for (const list of this.#due.values()) n += list.length;
    return n;
  }

  /** canTalk says whether a message from `from` reaches `to` now. */
  canTalk(from: NodeId, to: NodeId): boolean {
    if (this.#isolated.has(from) || this.#isolated.has(to)) return false;
    if (this.#cuts.has(`${from}>${to}`)) return false;
    if (this.#groups !== null) {
      const a = this.#groups.get(from);
      const b = this.#groups.get(to);
      if (a === undefined || b === undefined || a !== b) return false;
    }
    return true;
  }

  /** partition splits the nodes into groups that cannot reach each other; a node in no group reaches nobody. */
  partition(...groups: NodeId[][]): void {
    this.#groups = new Map();
    groups.forEach((group, i) => {
      for (const id of group) this.#groups!.set(id, i);
    });
  }

  /** isolate cuts one node off from every other (the app's "Go offline"). */
  isolate(id: NodeId): void {
    this.#isolated.add(id);
  }

  /** reconnect undoes `isolate`. */
  reconnect(id: NodeId): void {
    this.#isolated.delete(id);
  }

  /** cut takes the link between two nodes down, both ways or only from `a` to `b`. */
  cut(a: NodeId, b: NodeId, oneWay = false): void {
    this.#cuts.add(`${a}>${b}`);
    if (!oneWay) this.#cuts.add(`${b}>${a}`);
  }

  /** uncut brings a link back up in both directions. */
  uncut(a: NodeId, b: NodeId): void {
    this.#cuts.delete(`${a}>${b}`);
    this.#cuts.delete(`${b}>${a}`);
  }

  /** heal ends every partition, isolation and cut link (messages already lost stay lost). */
  heal(): void {
    this.#groups = null;
    this.#isolated.clear();
    this.#cuts.clear();
  }

  /** isHealed is true when no partition, isolation or cut is in force. */
  isHealed(): boolean {
    return this.#groups === null && this.#isolated.size === 0 && this.#cuts.size === 0;
  }

  #enqueue(message: Message, now: number): void {
    const o = this.options;
    let delay = this.#rng.int(Math.max(1, o.minDelay), Math.max(1, o.minDelay, o.maxDelay) + 1);
    if (this.#rng.chance(o.reorderRate)) delay += this.#rng.int(1, Math.max(1, o.reorderDelay) + 1);
    const at = now + delay;
    let list = this.#due.get(at);
    if (list === undefined) {
      list = [];
      this.#due.set(at, list);
    }
    list.push(message);
  }
}

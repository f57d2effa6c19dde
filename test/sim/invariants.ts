// The safety properties of Raft (paper, Figure 3), checked while a simulation
// runs. Some are checked as the driver writes each Ready (every entry that ever
// enters a log, every entry ever applied), the rest after every tick over the
// whole cluster. A broken property throws an InvariantError naming the seed, the
// tick and what was seen.
//
// - Election Safety: at most one leader per term, over the whole history.
// - Log Matching: two logs holding an entry with the same index and term hold
//   the same entries up to it. Checked two ways: every (index, term) ever written
//   anywhere has one content and one predecessor term (which by induction is the
//   property), and the current logs are compared pairwise after every tick.
// - Leader Completeness: an entry committed in term T is in the log of every
//   leader of a term after T. The commit term is over-estimated by the term of the
//   first node seen applying the entry, which only ever skips checks, never
//   invents a violation.
// - State Machine Safety: no two nodes apply different entries at one index, so
//   applied sequences are prefixes of one another; and, since every proposal in
//   the simulation is unique, no command is applied at two indexes.
// - Persisted state: a node's term never goes back, it votes once per term, its
//   commit index never goes back, and it never overwrites an entry below it.
//   (A stale leader may well append at an index committed elsewhere in a later
//   term: that entry never commits, and Leader Completeness covers the rest.)

import type { Entry, HardState, NodeId, Role } from '../../core/raft/index.ts';
import type { MemoryStorage } from './mem-storage.ts';
import { InvariantError, type SimContext } from './sim-error.ts';
import { appliedKey, type Applied, type StateMachine } from './state-machine.ts';

/** CheckedNode is what the checker reads of a simulated node. */
export interface CheckedNode {
  readonly id: NodeId;
  /** False while the node is crashed. */
  readonly live: boolean;
  readonly storage: MemoryStorage;
  readonly sm: StateMachine | null;
  /** The node's role and current term (only asked of running nodes). */
  state(): { role: Role; term: number };
}

interface Committed {
  index: number;
  term: number;
  key: string;
  /** An upper bound of the term in which the entry was committed. */
  commitTerm: number;
  by: NodeId;
}

const decoder = new TextDecoder();

function entryKey(e: Entry): string {
  return appliedKey({ term: e.term, kind: e.kind, text: decoder.decode(e.data) });
}

/** SafetyChecker watches one simulated cluster and throws at the first broken safety property. */
export class SafetyChecker {
  readonly #context: () => SimContext;
  /** Election Safety: the leader seen in each term. */
  readonly #leaders = new Map<number, NodeId>();
  /** Log Matching: content and predecessor term of every `index/term` ever written to a log. */
  readonly #written = new Map<string, { key: string; prevTerm: number; by: NodeId }>();
  /** State Machine Safety: the entry applied at each index, by whoever applied it first. */
  readonly #committed = new Map<number, Committed>();
  /** The same records in the order they were first seen (Leader Completeness walks it). */
  readonly #commitOrder: Committed[] = [];
  /** Where each `leader/term` is in #commitOrder: records before it are checked. */
  readonly #leaderChecked = new Map<string, number>();
  /** Index at which each command was first applied. */
  readonly #commandAt = new Map<string, number>();
  /** How many times checkStep ran. */
  #steps = 0;
  /** Commands a test proposed more than once on purpose (a retry), which may be applied twice. */
  readonly #retried = new Set<string>();

  constructor(context: () => SimContext) {
    this.#context = context;
  }

  /** committedAt returns the entry known to be committed at `index`, if any node applied it. */
  committedAt(index: number): { term: number; key: string } | undefined {
    return this.#committed.get(index);
  }

  /** commandIndex returns the index at which `command` was first applied, if it was. */
  commandIndex(command: string): number | undefined {
    return this.#commandAt.get(command);
  }

  /** allowDuplicate marks a command as proposed twice on purpose, so applying it twice is no violation. */
  allowDuplicate(command: string): void {
    this.#retried.add(command);
  }

  /** leaderOf returns the leader seen in `term`, if any. */
  leaderOf(term: number): NodeId | undefined {
    return this.#leaders.get(term);
  }

  /** maxCommittedIndex is the highest index any node has applied. */
  maxCommittedIndex(): number {
    let max = 0;
    for (const index of this.#committed.keys()) max = Math.max(max, index);
    return max;
  }

  #fail(invariant: string, description: string): never {
    throw new InvariantError(invariant, this.#context(), description);
  }

  /** observeRole records a node's role; a second leader in one term breaks Election Safety. */
  observeRole(id: NodeId, role: Role, term: number): void {
    if (role !== 'leader') return;
    const seen = this.#leaders.get(term);
    if (seen === undefined) this.#leaders.set(term, id);
    else if (seen !== id) this.#fail('Election Safety', `${seen} and ${id} were both leader in term ${term}`);
  }

  /** onHardState checks a hard state about to be persisted against the one it replaces. */
  onHardState(id: NodeId, prev: HardState, next: HardState): void {
    if (next.term < prev.term) {
      this.#fail('Persisted State', `${id}'s term went back from ${prev.term} to ${next.term}`);
    }
    if (next.term === prev.term && prev.votedFor !== null && next.votedFor !== prev.votedFor) {
      this.#fail('Persisted State',
        `${id} voted twice in term ${next.term}: for ${prev.votedFor}, then for ${next.votedFor ?? 'nobody'}`);
    }
    if (next.commitIndex < prev.commitIndex) {
      this.#fail('Persisted State', `${id}'s commit index went back from ${prev.commitIndex} to ${next.commitIndex}`);
    }
  }

  /**
   * onEntriesWritten checks entries about to be written to `id`'s log, after
   * `prevTerm` (the term the log holds just before the first of them), given
   * the terms the log holds now and the commit index it persisted so far.
   */
  onEntriesWritten(id: NodeId, entries: Entry[], prevTerm: number | undefined,
    heldTerm: (index: number) => number | undefined = () => undefined, commitIndex = 0): void {
    let prev = prevTerm;
    for (const e of entries) {
      const key = entryKey(e);
      const held = heldTerm(e.index);
      if (e.index <= commitIndex && held !== undefined && held !== e.term) {
        this.#fail('Persisted State',
          `${id} overwrote its entry at index ${e.index} (term ${held}) with one of term ${e.term}, below its commit index ${commitIndex}`);
      }
      if (prev === undefined) {
        this.#fail('Log Matching', `${id} wrote index ${e.index} after an entry its log does not hold`);
      }
      if (e.term < prev) {
        this.#fail('Log Matching', `${id} wrote index ${e.index} of term ${e.term} after an entry of term ${prev}`);
      }
      const at = `${e.index}/${e.term}`;
      const seen = this.#written.get(at);
      if (seen === undefined) {
        this.#written.set(at, { key, prevTerm: prev, by: id });
      } else if (seen.key !== key) {
        this.#fail('Log Matching', `index ${e.index} term ${e.term} holds ${seen.key} at ${seen.by} but ${key} at ${id}`);
      } else if (seen.prevTerm !== prev) {
        this.#fail('Log Matching',
          `index ${e.index} term ${e.term} follows term ${seen.prevTerm} at ${seen.by} but term ${prev} at ${id}`);
      }
      prev = e.term;
    }
  }

  /** onApplied checks an entry a node just applied against what every other node applied there. */
  onApplied(id: NodeId, a: Applied, nodeTerm: number): void {
    this.#record(id, a, nodeTerm);
  }

  /** onRestored checks a history a node restored from a snapshot. */
  onRestored(id: NodeId, history: Applied[], nodeTerm: number): void {
    for (const a of history) this.#record(id, a, nodeTerm);
  }

  #record(id: NodeId, a: Applied, nodeTerm: number): void {
    const key = appliedKey(a);
    const seen = this.#committed.get(a.index);
    if (seen !== undefined) {
      if (seen.key !== key) {
        this.#fail('State Machine Safety', `${seen.by} applied ${seen.key} at index ${a.index} but ${id} applied ${key}`);
      }
      return;
    }
    const c: Committed = { index: a.index, term: a.term, key, commitTerm: Math.max(nodeTerm, a.term), by: id };
    this.#committed.set(a.index, c);
    this.#commitOrder.push(c);
    if (a.kind === 'command') {
      const other = this.#commandAt.get(a.text);
      if (other !== undefined && other !== a.index && !this.#retried.has(a.text)) {
        this.#fail('State Machine Safety', `command ${JSON.stringify(a.text)}, proposed once, applied at indexes ${other} and ${a.index}`);
      }
      if (other === undefined) this.#commandAt.set(a.text, a.index);
    }
  }

  /**
   * checkStep checks the whole cluster; the simulation calls it after every tick.
   * The pairwise comparison of whole logs runs every `fullEvery` calls (every
   * entry written is checked as it is written, which already implies it).
   */
  checkStep(nodes: readonly CheckedNode[], fullEvery = 1): void {
    const live = nodes.filter((n) => n.live);
    for (const n of live) {
      const { role, term } = n.state();
      this.observeRole(n.id, role, term);
      if (role === 'leader') this.#checkLeaderCompleteness(n, term);
    }
    if (++this.#steps % fullEvery === 0) this.checkLogs(nodes);
    for (const n of live) {
      const h = n.sm?.history;
      if (h !== undefined && h.length > 0 && h[h.length - 1]!.index !== h.length) {
        this.#fail('State Machine Safety', `${n.id}'s applied history has holes (last index ${h[h.length - 1]!.index}, ${h.length} entries)`);
      }
    }
  }

  #checkLeaderCompleteness(leader: CheckedNode, term: number): void {
    const at = `${leader.id}/${term}`;
    const from = this.#leaderChecked.get(at) ?? 0;
    const s = leader.storage;
    for (let k = from; k < this.#commitOrder.length; k++) {
      const c = this.#commitOrder[k]!;
      if (c.commitTerm >= term) continue;
      if (c.index < s.snapshotIndex()) continue;
      const held = s.term(c.index);
      if (held !== c.term) {
        this.#fail('Leader Completeness',
          `${leader.id}, leader of term ${term}, holds ${held === undefined ? 'nothing' : `term ${held}`} at index ${c.index}, ` +
          `where ${c.by} applied an entry of term ${c.term} by term ${c.commitTerm}`);
      }
    }
    this.#leaderChecked.set(at, this.#commitOrder.length);
  }

  /** checkLogs compares every pair of logs (crashed nodes' too): Log Matching over the whole logs. */
  checkLogs(nodes: readonly CheckedNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i]!.storage;
        const b = nodes[j]!.storage;
        const lo = Math.max(a.firstIndex(), b.firstIndex());
        let k = Math.min(a.lastIndex(), b.lastIndex());
        while (k >= lo && a.term(k) !== b.term(k)) k--;
        for (k--; k >= lo; k--) {
          if (a.term(k) !== b.term(k)) {
            this.#fail('Log Matching',
              `${nodes[i]!.id} and ${nodes[j]!.id} share an entry after index ${k}, but hold terms ${a.term(k)} and ${b.term(k)} there`);
          }
        }
      }
    }
  }
}

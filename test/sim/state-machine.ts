// The simulation's replicated state machine: the list of everything applied, in
// index order. Its snapshot is that list as JSON, so a node restored from a
// snapshot still knows its whole applied history and can be compared with the
// others (State Machine Safety).

import type { Entry } from '../../core/raft/index.ts';

/** Applied is one applied entry: noops and configs count too, so the history has no holes. */
export interface Applied {
  index: number;
  term: number;
  kind: Entry['kind'];
  /** The entry's data as text (a command, or a config's membership JSON); '' for a noop. */
  text: string;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** appliedKey is what two nodes must agree on for an index. */
export function appliedKey(a: Pick<Applied, 'term' | 'kind' | 'text'>): string {
  return `${a.term}/${a.kind}/${a.text}`;
}

/** toApplied reads an entry as the state machine records it. */
export function toApplied(e: Entry): Applied {
  return { index: e.index, term: e.term, kind: e.kind, text: decoder.decode(e.data) };
}

/** StateMachineFault is a committed entry or snapshot the state machine cannot take. */
export class StateMachineFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateMachineFault';
  }
}

/** StateMachine applies committed entries in order and snapshots its history. */
export class StateMachine {
  /** Invariant: history[k].index === k + 1. */
  history: Applied[] = [];

  /** appliedIndex is the index of the last applied entry. */
  get appliedIndex(): number {
    return this.history.length;
  }

  /** commands lists the applied commands in order (noops and configs left out). */
  commands(): string[] {
    return this.history.filter((a) => a.kind === 'command').map((a) => a.text);
  }

  /** apply applies the next committed entry; it must follow the last one with no gap. */
  apply(e: Entry): Applied {
    if (e.index !== this.appliedIndex + 1) {
      throw new StateMachineFault(`committed entry ${e.index} does not follow the applied index ${this.appliedIndex}`);
    }
    const a = toApplied(e);
    this.history.push(a);
    return a;
  }

  /** serialize is the snapshot data at the applied index. */
  serialize(): Uint8Array {
    return encoder.encode(JSON.stringify(this.history.map((a) => [a.term, a.kind, a.text])));
  }

  /** restore replaces the state with a snapshot's data, which must cover exactly `index` entries. */
  restore(data: Uint8Array, index: number): void {
    let rows: unknown;
    try {
      rows = JSON.parse(decoder.decode(data));
    } catch {
      throw new StateMachineFault(`snapshot data at index ${index} is not this state machine's JSON`);
    }
    if (!Array.isArray(rows) || rows.length !== index) {
      throw new StateMachineFault(
        `snapshot at index ${index} holds ${Array.isArray(rows) ? rows.length : 'no'} applied entries`);
    }
    this.history = rows.map((row, k) => {
      const [term, kind, text] = row as [number, Entry['kind'], string];
      return { index: k + 1, term, kind, text };
    });
  }
}

// The recorded history of one run: what the clients asked and were answered,
// what every peer said of its role, term and commit point, the faults, the
// processes that exited, and the peers' state after the heal. One event per
// JSON line in the runner's history file; the checker reads nothing else.
//
// Times are milliseconds since the start of the run, from one monotonic clock.
// Texts are unique per operation: an add writes `a:<client>.<n>`; an edit keeps
// the first word (the note's origin: the add that made it) and adds its own,
// `a:<client>.<n> e:<client>.<m>`, so any version of a note names its add.

/** Outcome is what a client can know of an operation. */
export type Outcome =
  /** 200/201: it took effect, as the answer says. */
  | 'ok'
  /** 202: kept in the peer's durable outbox, to take effect exactly once later (an edit or delete may still meet a conflict). */
  | 'pending'
  /** Certainly without effect: refused before it arrived (connection refused), or answered with a 4xx. */
  | 'failed'
  /** Maybe, maybe not: a timeout, a reset connection, a 5xx. */
  | 'indeterminate';

/** ObservedNote is a note as an answer (`note`; `current` of a 409) or a read showed it: [seq, version, text]; its id is noteId(seq). */
export type ObservedNote = [seq: number, version: number, text: string];

/** OpEvent is one client operation, recorded when it completed. */
export type OpEvent = {
  type: 'op';
  client: number;
  /** The peer asked: its slot (A, B, …) and peer id. */
  peer: string;
  peerId: string;
  invoke: number;
  complete: number;
  outcome: Outcome;
  /** The HTTP status, or the error (ECONNREFUSED, timeout, …) when there was none. */
  status: number | string;
} & (
  | { kind: 'add'; text: string; note?: ObservedNote }
  | { kind: 'edit'; seq: number; version: number; text: string; note?: ObservedNote; current?: ObservedNote }
  | { kind: 'delete'; seq: number; version: number; current?: ObservedNote }
  | { kind: 'read'; notes?: ObservedNote[] }
);

/** StatusEvent is one peer's role, term, leader and commit point as it reported them. */
export interface StatusEvent {
  type: 'status';
  peer: string;
  peerId: string;
  /** The process: one number per start of a peer, over the whole run. */
  process: number;
  at: number;
  role: string;
  term: number;
  leaderId: string | null;
  commitIndex: number;
}

/** FaultEvent is one fault, recorded when it ended (healed). */
export interface FaultEvent {
  type: 'fault';
  kind: FaultKind;
  start: number;
  end: number;
  /** What it did, in words: whom it hit, how it ended. */
  detail: string;
}

/** FaultKind names every fault the runner injects. */
export const FAULT_KINDS = ['kill', 'pause', 'isolate', 'partition', 'bridge', 'netem', 'transfer', 'membership'] as const;
export type FaultKind = typeof FAULT_KINDS[number];

/** ExitEvent is a peer process that ended; `expected` when the runner killed or stopped it. */
export interface ExitEvent {
  type: 'exit';
  peer: string;
  peerId: string;
  process: number;
  at: number;
  code: number | null;
  signal: string | null;
  expected: boolean;
}

/** DiscardEvent says a peer's data directory was thrown away (a removed member replaced by a fresh one): its outbox went with it. */
export interface DiscardEvent {
  type: 'discard';
  peer: string;
  peerId: string;
  at: number;
}

/** PeerFinal is one member's state after the heal. */
export interface PeerFinal {
  peer: string;
  peerId: string;
  commitIndex: number;
  lastIndex: number;
  notes: ObservedNote[];
  /** Requests still in its outbox: [op, text]. */
  pending: Array<[string, string]>;
  /** Log entries it still holds (after its snapshot): [index, term, kind, summary]. */
  log: Array<[number, number, string, string]>;
}

/** FinalEvent is the end of the run: every member's state once they agreed, or what they held when they did not in time. */
export interface FinalEvent {
  type: 'final';
  /** When the last fault was healed. */
  healedAt: number;
  /** When every member agreed, or null when they did not in time. */
  convergedAt: number | null;
  peers: PeerFinal[];
}

/** HistoryEvent is one line of a history. */
export type HistoryEvent = OpEvent | StatusEvent | FaultEvent | ExitEvent | DiscardEvent | FinalEvent
  | { type: 'start'; seed: number; peers: number; seconds: number; faults: FaultKind[]; clients: number; network: string };

/** noteId is the id of the note a log entry at `seq` added (as core/notes names it). */
export function noteId(seq: number): string {
  return `n${seq.toString(36)}`;
}

/** originOf is the first word of a note's text: the add that made the note. */
export function originOf(text: string): string {
  const space = text.indexOf(' ');
  return space === -1 ? text : text.slice(0, space);
}

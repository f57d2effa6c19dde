// RaftTrace is what a peer started for the demo (serve --lab) tells about its
// Raft traffic: every message it sends, reduced to what the dashboard draws
// (type, from, to, term, index range, granted/success), and a sample of its
// clock (the election or heartbeat timer, ticks, pause) and of its lab
// settings. It is bounded: one batch every TRACE_EVERY_MS, at most
// MAX_TRACE_MESSAGES messages each; the rest of a batch's messages are only
// counted (`dropped`), so a dashboard knows it was not shown everything. A
// peer without --lab makes no RaftTrace: its send path does not reach this file.
//
//   batch: {"at":…,"messages":[{"at":…,"type":"RequestVote","from":"…","to":"…","term":3,"preVote":false}, …],
//           "dropped":0,"timer":{"kind":"election","elapsed":4,"timeout":22},"lab":{"tickMs":10,"paused":false,…}}
import type { ElectionTimer, Message, MessageType, NodeId } from '../raft/index.ts';
import type { Clock } from './clock.ts';

/** TRACE_EVERY_MS is how often a batch goes out (also without messages: the timer moves). */
export const TRACE_EVERY_MS = 100;
/** MAX_TRACE_MESSAGES bounds one batch. */
export const MAX_TRACE_MESSAGES = 200;

/** TraceMessage is one Raft message as the dashboard draws it. */
export interface TraceMessage {
  /** When it was handed to the network, ms since the epoch. */
  at: number;
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** RequestVote and its answer: a pre-vote (dissertation §9.6). */
  preVote?: boolean;
  /** RequestVoteResponse: the vote was granted. */
  granted?: boolean;
  /** AppendEntries: the indexes of the entries carried ([] for a heartbeat), and the leader's commit index. */
  entries?: [number, number] | [];
  commit?: number;
  /** AppendEntriesResponse: accepted, and the index the follower matches. */
  success?: boolean;
  match?: number;
}

/** LabSettings are what the demo holds of a peer: its clock, its cut and its Raft safeguards. */
export interface LabSettings {
  tickMs: number;
  paused: boolean;
  preVote: boolean;
  checkQuorum: boolean;
  /** The peers this one is cut off from. */
  cut: string[];
}

/** TraceBatch is one `trace` event. */
export interface TraceBatch {
  at: number;
  messages: TraceMessage[];
  /** Messages sent in this period but left out (past MAX_TRACE_MESSAGES). */
  dropped: number;
  timer: ElectionTimer;
  lab: LabSettings;
}

/** RaftTraceInit says where the trace's samples come from and where its batches go. */
export interface RaftTraceInit {
  clock: Clock;
  sample: () => { timer: ElectionTimer; lab: LabSettings };
  emit: (batch: TraceBatch) => void;
  everyMs?: number;
  maxMessages?: number;
}

/** RaftTrace collects the messages a peer sends and sends them on in bounded batches. */
export class RaftTrace {
  private readonly init: RaftTraceInit;
  private messages: TraceMessage[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(init: RaftTraceInit) {
    this.init = init;
  }

  /** start sends a batch every period until stop. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.flush(), this.init.everyMs ?? TRACE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** record takes the messages just handed to the network. */
  record(messages: readonly Message[]): void {
    const max = this.init.maxMessages ?? MAX_TRACE_MESSAGES;
    const at = this.init.clock.now();
    for (const m of messages) {
      if (this.messages.length >= max) this.dropped++;
      else this.messages.push(traceMessage(m, at));
    }
  }

  /** flush sends what was recorded since the last batch, with a fresh sample. */
  flush(): void {
    const { timer, lab } = this.init.sample();
    const batch: TraceBatch = { at: this.init.clock.now(), messages: this.messages, dropped: this.dropped, timer, lab };
    this.messages = [];
    this.dropped = 0;
    this.init.emit(batch);
  }
}

/** traceMessage is `m` as the dashboard draws it. */
export function traceMessage(m: Message, at: number): TraceMessage {
  const base = { at, type: m.type, from: m.from, to: m.to, term: m.term };
  switch (m.type) {
    case 'RequestVote':
      return { ...base, preVote: m.preVote };
    case 'RequestVoteResponse':
      return { ...base, preVote: m.preVote, granted: m.voteGranted };
    case 'AppendEntries':
      return { ...base, entries: m.entries.length === 0 ? [] : [m.entries[0]!.index, m.entries[m.entries.length - 1]!.index], commit: m.leaderCommit };
    case 'AppendEntriesResponse':
      return { ...base, success: m.success, match: m.matchIndex };
    case 'InstallSnapshot':
      return { ...base, entries: [m.snapshot.index, m.snapshot.index] };
    case 'InstallSnapshotResponse':
      return { ...base, match: m.matchIndex };
    case 'TimeoutNow':
      return base;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

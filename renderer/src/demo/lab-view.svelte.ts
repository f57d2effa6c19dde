// LabView is what the dashboard draws from the peers' trace batches and the
// demo's lab settings: the dots in flight (one per message a peer reported
// sending, heartbeats thinned by Thinner), the recent messages as text (the
// "Messages" region), each node's election timer as last reported (the ring
// empties between reports at the node's tick length, and stands still while
// the clocks are paused), and the settings the controls show. One animation
// clock (`now`, requestAnimationFrame) moves every dot and ring.
import type { LabSettings, TraceBatch, TraceMessage } from '../../../core/api/types.ts';
import type { DemoLabSettings } from '../../../demo/view.ts';
import { describeMessage, dotKind, Thinner, type DotKind } from './trace-view.ts';

/** MAX_FLIGHTS bounds the dots drawn at once; MAX_MESSAGES the lines of the "Messages" list. */
export const MAX_FLIGHTS = 120;
export const MAX_MESSAGES = 40;

/** Flight is one dot travelling from one node to another. */
export interface Flight {
  key: number;
  from: string;
  to: string;
  kind: DotKind;
  /** performance.now() when it leaves, and how long it travels (for the eye: real messages take under a millisecond). */
  start: number;
  duration: number;
}

/** MessageLine is one line of the "Messages" list. */
export interface MessageLine {
  key: number;
  at: number;
  text: string;
  kind: DotKind;
}

/** NodeTimer is a node's timer as last reported, and when the report arrived. */
export interface NodeTimer {
  kind: 'election' | 'heartbeat';
  elapsed: number;
  timeout: number;
  tickMs: number;
  paused: boolean;
  /** performance.now() when heard. */
  heard: number;
}

/** VoteEvent is what the timeline learns from the trace: a node asked for votes, or gave one. */
export type VoteEvent = { kind: 'candidate'; node: string; term: number; at: number } | { kind: 'vote'; node: string; for: string; term: number; at: number };

/** LabView follows the trace and the lab settings. */
export class LabView {
  settings = $state.raw<DemoLabSettings>({ tickMs: 10, paused: false, preVote: true, checkQuorum: true, groups: [] });
  flights = $state.raw<Flight[]>([]);
  /** Newest first. */
  messages = $state.raw<MessageLine[]>([]);
  timers = $state.raw<Record<string, NodeTimer>>({});
  /** The term each node last asked for votes in (a real election, not a pre-vote). */
  candidateTerms = $state.raw<Record<string, number>>({});
  /** The animation clock, performance.now() of the last frame. */
  now = $state(performance.now());
  /** Heartbeats reported but not drawn (Thinner). */
  thinned = $state(0);
  private readonly thinner = new Thinner();
  private nextKey = 1;
  private frame = 0;
  private readonly nameOf: (id: string) => string;
  private readonly onVote: (event: VoteEvent) => void;

  constructor(nameOf: (id: string) => string, onVote: (event: VoteEvent) => void) {
    this.nameOf = nameOf;
    this.onVote = onVote;
  }

  /** start runs the animation clock. */
  start(): void {
    const loop = () => {
      this.now = performance.now();
      if (this.flights.length > 0 && this.flights.some((f) => this.now > f.start + f.duration)) {
        this.flights = this.flights.filter((f) => this.now <= f.start + f.duration);
      }
      this.frame = requestAnimationFrame(loop);
    };
    this.frame = requestAnimationFrame(loop);
  }

  stop(): void {
    cancelAnimationFrame(this.frame);
  }

  /** hearSettings takes the demo's lab settings. */
  hearSettings(settings: DemoLabSettings): void {
    this.settings = settings;
  }

  /** hearTrace takes one peer's batch: its messages become dots and lines, its timer a ring. */
  hearTrace(node: string, batch: TraceBatch): void {
    const heard = performance.now();
    const lab: LabSettings = batch.lab;
    this.timers = { ...this.timers, [node]: { ...batch.timer, tickMs: lab.tickMs, paused: lab.paused, heard } };
    if (!Array.isArray(batch.messages) || batch.messages.length === 0) return;
    const travel = Math.min(1_200, Math.max(350, lab.tickMs * 4));
    const flights: Flight[] = [];
    const lines: MessageLine[] = [];
    const first = batch.messages[0]!.at;
    const terms = { ...this.candidateTerms };
    for (const m of batch.messages) {
      this.noteVotes(m, terms);
      if (!this.thinner.admit(m, m.at)) continue;
      const kind = dotKind(m);
      const key = this.nextKey++;
      // Spread over the batch's period as they were sent, so that a burst does not leave as one dot.
      flights.push({ key, from: this.nameOf(m.from), to: this.nameOf(m.to), kind, start: heard + Math.max(0, m.at - first), duration: travel });
      lines.push({ key, at: m.at, text: describeMessage(m, this.nameOf), kind });
    }
    this.candidateTerms = terms;
    this.thinned = this.thinner.skipped;
    if (flights.length > 0) this.flights = [...this.flights, ...flights].slice(-MAX_FLIGHTS);
    if (lines.length > 0) this.messages = [...lines.reverse(), ...this.messages].slice(0, MAX_MESSAGES);
  }

  /** remaining is the fraction of a node's timer left now (1: just reset, 0: fires), or null when unknown. */
  remaining(node: string): number | null {
    const t = this.timers[node];
    if (t === undefined || t.timeout <= 0) return null;
    const ticks = t.paused ? 0 : (this.now - t.heard) / t.tickMs;
    return Math.max(0, Math.min(1, 1 - (t.elapsed + ticks) / t.timeout));
  }

  private noteVotes(m: TraceMessage, terms: Record<string, number>): void {
    if (m.preVote === true) return;
    if (m.type === 'RequestVote') {
      const node = this.nameOf(m.from);
      if ((terms[node] ?? 0) < m.term) {
        terms[node] = m.term;
        this.onVote({ kind: 'candidate', node, term: m.term, at: m.at });
      }
    } else if (m.type === 'RequestVoteResponse' && m.granted === true) {
      this.onVote({ kind: 'vote', node: this.nameOf(m.from), for: this.nameOf(m.to), term: m.term, at: m.at });
    }
  }
}

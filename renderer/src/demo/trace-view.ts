// How the dashboard reads the peers' trace batches: each Raft message in
// words (the "Messages" region, what a screen reader gets instead of dots),
// what kind of dot it is, and the Thinner that keeps heartbeats readable for
// the eye: a heartbeat (or its plain acknowledgement) is drawn at most once
// per link and direction every THIN_MS, the rest only counted. Nothing is
// made up: every dot drawn is one message a peer reported sending.
import type { TraceMessage } from '../../../core/api/types.ts';

/** DotKind colours a dot by what the message does. */
export type DotKind = 'vote-request' | 'vote-granted' | 'vote-refused' | 'append' | 'heartbeat' | 'append-ok' | 'append-refused' | 'other';

/** THIN_MS is the shortest time between two heartbeat dots on one link, one direction. */
export const THIN_MS = 900;

/** dotKind is what a message does, for its colour and for thinning. */
export function dotKind(m: TraceMessage): DotKind {
  switch (m.type) {
    case 'RequestVote':
      return 'vote-request';
    case 'RequestVoteResponse':
      return m.granted === true ? 'vote-granted' : 'vote-refused';
    case 'AppendEntries':
      return m.entries !== undefined && m.entries.length > 0 ? 'append' : 'heartbeat';
    case 'AppendEntriesResponse':
      return m.success === true ? 'append-ok' : 'append-refused';
    default:
      return 'other';
  }
}

/** describeMessage is a message in words, node names instead of ids: "A → B RequestVote term 3". */
export function describeMessage(m: TraceMessage, nameOf: (id: string) => string): string {
  const link = `${nameOf(m.from)} → ${nameOf(m.to)}`;
  const pre = m.preVote === true ? 'pre-' : '';
  switch (m.type) {
    case 'RequestVote':
      return `${link} RequestVote${m.preVote === true ? ' (pre-vote)' : ''} term ${m.term}`;
    case 'RequestVoteResponse':
      return `${link} ${pre}vote ${m.granted === true ? 'granted' : 'refused'} term ${m.term}`;
    case 'AppendEntries': {
      const e = m.entries ?? [];
      if (e.length === 0) return `${link} heartbeat term ${m.term}`;
      return `${link} AppendEntries term ${m.term}, ${e[0] === e[1] ? `entry ${e[0]}` : `entries ${e[0]}–${e[1]}`}`;
    }
    case 'AppendEntriesResponse':
      return m.success === true ? `${link} AppendEntries ok term ${m.term}, match ${m.match}` : `${link} AppendEntries refused term ${m.term}`;
    case 'InstallSnapshot':
      return `${link} InstallSnapshot term ${m.term}, up to entry ${m.entries?.[1] ?? '?'}`;
    case 'InstallSnapshotResponse':
      return `${link} InstallSnapshot ok term ${m.term}, match ${m.match}`;
    case 'TimeoutNow':
      return `${link} TimeoutNow term ${m.term} (campaign now)`;
  }
}

/** Thinner decides which messages get a dot (and a line in the list): all but frequent heartbeats. */
export class Thinner {
  private readonly last = new Map<string, number>();
  /** The match index last acknowledged on each link: an answer that moves it is news, not a heartbeat's echo. */
  private readonly match = new Map<string, number>();
  /** Heartbeats reported but not drawn, since the start. */
  skipped = 0;

  /** admit says whether `m`, sent at `at` (ms), is drawn. */
  admit(m: TraceMessage, at: number): boolean {
    const key = `${m.from}>${m.to}`;
    const kind = dotKind(m);
    let routine = kind === 'heartbeat';
    if (kind === 'append-ok') {
      routine = this.match.get(key) === m.match;
      this.match.set(key, m.match ?? 0);
    }
    if (!routine) {
      this.last.set(key, at);
      return true;
    }
    const last = this.last.get(key);
    if (last !== undefined && at - last < THIN_MS && at >= last) {
      this.skipped++;
      return false;
    }
    this.last.set(key, at);
    return true;
  }
}

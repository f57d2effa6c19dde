// The log as people read it (GET /api/log, the demo's log view): each entry of
// the Raft core's log with its index, term, kind and what it does in a few words.
import { decodeMembership, type Entry, type RaftNode } from '../raft/index.ts';
import { decodeCommand } from '../notes/index.ts';

/** LogEntryView is one entry as GET /api/log shows it. */
export interface LogEntryView {
  index: number;
  term: number;
  kind: 'note' | 'noop' | 'membership' | 'unreadable';
  /** What the entry does, in a few words: `add "…"`, `voters: …`. */
  summary: string;
}

/** LogPage is one answer of GET /api/log. */
export interface LogPage {
  /** The first index still held as an entry; older ones are in the snapshot. */
  firstIndex: number;
  snapshotIndex: number;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  entries: LogEntryView[];
}

/** MAX_LOG_PAGE is the most entries one GET /api/log answers. */
export const MAX_LOG_PAGE = 1000;
const SUMMARY_CHARS = 80;

/** logPage is GET /api/log: up to `limit` entries of the Raft log from `from` on (compacted indexes read from firstIndex on). */
export function logPage(node: RaftNode, from: number, limit: number, appliedIndex: number): LogPage {
  const s = node.status();
  return {
    firstIndex: s.firstIndex,
    snapshotIndex: s.firstIndex - 1,
    commitIndex: s.commitIndex,
    appliedIndex,
    lastIndex: s.lastIndex,
    entries: node.entries(from, limit).map(entryView),
  };
}

/** entryView summarises one entry for people: the note operation, or the membership a config entry installs. */
export function entryView(entry: Entry): LogEntryView {
  const base = { index: entry.index, term: entry.term };
  try {
    switch (entry.kind) {
      case 'noop':
        return { ...base, kind: 'noop', summary: 'no-op (a new leader\'s first entry)' };
      case 'config': {
        const m = decodeMembership(entry.data);
        const learners = m.learners.length > 0 ? `; learners: ${m.learners.join(', ')}` : '';
        return { ...base, kind: 'membership', summary: `voters: ${m.voters.join(', ')}${learners}` };
      }
      case 'command': {
        const c = decodeCommand(entry.data);
        const what = c.op === 'delete' ? `delete ${c.id}` : `${c.op}${c.op === 'edit' ? ` ${c.id}` : ''} ${JSON.stringify(clip(c.text))}`;
        return { ...base, kind: 'note', summary: `${what} by ${c.author}` };
      }
    }
  } catch (error) {
    return { ...base, kind: 'unreadable', summary: (error as Error).message };
  }
}

function clip(text: string): string {
  return text.length <= SUMMARY_CHARS ? text : `${text.slice(0, SUMMARY_CHARS - 1)}…`;
}

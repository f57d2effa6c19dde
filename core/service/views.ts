// What the service shows of itself: the shapes of its answers (the local
// API's, docs/api.md), declared once for the service that builds them and, via
// core/api/types.ts, for the pages that read them. Types and one list of
// constants, nothing of Node's, so the renderer's build can import it.
import type { Note } from '../notes/index.ts';

export type { Note };

/** PendingRequest is a write kept in the peer's outbox until a majority commits it. */
export interface PendingRequest {
  requestId: string;
  op: 'add' | 'edit' | 'delete';
  text: string | null;
  /** The note an edit or delete is about, and the version it saw. */
  noteId?: string;
  version?: number;
  createdAt: number;
}

/** Conflict is a pending request the document refused once it committed (the note changed meanwhile). */
export interface Conflict extends PendingRequest {
  error: string;
  current: Note | null;
}

/** NotesSnapshot is GET /api/notes: the whole document as one peer holds it. */
export interface NotesSnapshot {
  notes: Note[];
  pending: PendingRequest[];
  /** Requests refused after they were answered as pending, until dismissed. */
  conflicts: Conflict[];
  commitIndex: number;
}

/**
 * NotesChange is the `notes` event: what changed in the document since the
 * revision the receiver holds (`reset`: the whole document, for a new
 * receiver or one too far behind), with this peer's pending and refused
 * requests in full (they are few). A receiver applies it to its copy: notes
 * listed replace those of the same id (new ones go last, in log order), ids
 * in `deleted` go.
 */
export interface NotesChange {
  /** true: `notes` is the whole document; false: the notes added or edited since the receiver's revision. */
  reset: boolean;
  /** The document's revision after this change (its applied log index); the next change is since this one. */
  revision: number;
  notes: Note[];
  /** Ids of the notes deleted since the receiver's revision (empty on a reset). */
  deleted: string[];
  pending: PendingRequest[];
  conflicts: Conflict[];
  commitIndex: number;
  /**
   * true: more notes of this same revision follow at once (a big document
   * comes in parts, each a change adding the next notes); a receiver may wait
   * for the part with `more: false` before it shows the whole.
   */
  more: boolean;
}

/**
 * NotesPart is a `notes` event to send now and, for a big document sent in
 * parts, `next`: the following part, built when called (null: this was the
 * last). See core/service/notes-parts.ts.
 */
export interface NotesPart {
  change: NotesChange;
  next: (() => NotesPart) | null;
}

/**
 * MEMBER_ROLES are what a member can say it is; `unknown` when its status did
 * not arrive lately, `none` without a notebook, `removed` once it learned it
 * was removed from the notebook (it takes no more part).
 */
export const MEMBER_ROLES = ['leader', 'follower', 'candidate', 'precandidate', 'unknown', 'none', 'removed'] as const;

/** MemberRole is one of MEMBER_ROLES. */
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** Member is one row of the cluster view. */
export interface Member {
  id: string;
  name: string;
  voter: boolean;
  role: MemberRole;
  term: number;
  reachable: boolean;
  /** The leader's view of how much of the log the member holds; null on other peers. */
  matchIndex: number | null;
}

/** PeerStatus is GET /api/status: this peer and the cluster as it sees it. */
export interface PeerStatus {
  id: string;
  name: string;
  role: MemberRole;
  term: number;
  leaderId: string | null;
  /** Whom this peer voted for in `term` (null: nobody yet). */
  votedFor: string | null;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  isolated: boolean;
  /** This peer was removed from the notebook: it takes no part and no writes until it leaves or asks to join again. */
  removed: boolean;
  /** Whether the group is idle and quiet as this peer sees it: no heartbeats until something happens. */
  quiescent: boolean;
  /** Why this peer stopped taking writes because its disk failed (the message says what to do), or null while it writes. */
  storageFailure: string | null;
  notebook: { id: string; name: string } | null;
  members: Member[];
}

/** LogLine is one line of the peer's story: elections, leader changes, joins, partitions. */
export interface LogLine {
  /** When, in ms since the epoch. */
  at: number;
  text: string;
}

/** WriteResult is a committed note and the index of the log entry that committed it, or the request still waiting in the outbox for a majority. */
export type WriteResult = { committed: true; note: Note; index: number } | { committed: false; pending: PendingRequest };

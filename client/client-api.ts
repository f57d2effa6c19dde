// The one interface the renderer talks to a peer through (docs/architecture.md, "Layers"): one
// method per API call, typed results, and failures as ClientError values with
// the API's `{ error, message }`. It is implemented over HTTP + server-sent
// events in the browser (http-client.ts) and over Electron IPC in the desktop
// app (ipc-client.ts).
import type { LogLine, Note, PeerStatus, NotesSnapshot, WriteResult } from '../core/api/types.ts';

// The API's answers, declared once beside the peer that sends them (type-only, erased in the build).
export type {
  Conflict, LogLine, Member, MemberRole, Note, NotesChange, NotesSnapshot, PeerStatus, PendingRequest, WriteResult,
} from '../core/api/types.ts';

/** ExportFile is a download of the whole document. */
export interface ExportFile {
  filename: string;
  type: string;
  text: string;
}

/** ConnectionState is the live event stream's state. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** EventHandlers receive the peer's live events. */
export interface EventHandlers {
  status?: (status: PeerStatus) => void;
  /** The whole document after each change (the client applies the peer's incremental `notes` events to its copy). */
  notes?: (notes: NotesSnapshot) => void;
  log?: (line: LogLine) => void;
  /** The stream's state; when reconnecting, the wait and the peer's refusal if it refused (e.g. a wrong token). */
  connection?: (state: ConnectionState, retryInMs?: number, refusal?: string) => void;
}

/** ClientError is a refused or failed call: the API's error code and its message for the user. */
export class ClientError extends Error {
  static override name = 'ClientError';
  override name = 'ClientError';
  /** The API's error code (`conflict`, `not-leader`, …), or `network` when the peer did not answer. */
  readonly code: string;
  /** The HTTP status, 0 when the peer did not answer. */
  readonly status: number;
  /** A conflict's current note (409), when the API sent it. */
  readonly current: Note | null;
  /** The leader known when this peer is not the leader. */
  readonly leaderId: string | null;

  constructor(code: string, message: string, status = 0, extra: { current?: Note | null; leaderId?: string | null } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.current = extra.current ?? null;
    this.leaderId = extra.leaderId ?? null;
  }
}

/** ClientApi is everything the renderer can ask of one peer. */
export interface ClientApi {
  /** status is this peer and its view of the cluster. */
  status(): Promise<PeerStatus>;
  /** notes is the document, with the pending requests and refused ones. */
  notes(): Promise<NotesSnapshot>;
  /** addNote adds a note of 1 to 65,536 bytes. */
  addNote(text: string): Promise<WriteResult>;
  /** editNote replaces a note's text if `version` is still current (else ClientError `conflict` with `current`). */
  editNote(id: string, text: string, version: number): Promise<WriteResult>;
  /**
   * deleteNote deletes a note if `version` is still current. `keepalive`:
   * the request outlives the page (sent as it is left or closed: fetch's
   * keepalive over HTTP; an IPC call reaches the app's main process anyway).
   */
  deleteNote(id: string, version: number, options?: { keepalive?: boolean }): Promise<WriteResult>;
  /** dismissConflict forgets a refused request the user has seen. */
  dismissConflict(requestId: string): Promise<void>;
  /** createNotebook makes a new notebook on a peer that has none yet. */
  createNotebook(name: string): Promise<{ id: string; name: string }>;
  /** joinNotebook joins the notebook of an invite code on a peer that has none yet. */
  joinNotebook(invite: string): Promise<{ id: string; name: string }>;
  /** rejoinNotebook asks the notebook's members to add this removed peer again. */
  rejoinNotebook(): Promise<void>;
  /** leaveNotebook leaves the notebook this peer was removed from (its files are put aside); the peer is back at its first run. */
  leaveNotebook(): Promise<void>;
  /** invite is the code that lets another device join. */
  invite(): Promise<string>;
  /** setIsolated cuts this peer off from the others, or reconnects it. */
  setIsolated(isolated: boolean): Promise<boolean>;
  /** transferLeadership hands leadership to member `to` (this peer must lead); it returns the leader then known. */
  transferLeadership(to: string): Promise<string | null>;
  /** removeMember removes a member from the notebook (this peer must lead). */
  removeMember(id: string): Promise<void>;
  /** exportNotes is the whole document as Markdown or JSON. */
  exportNotes(format: 'md' | 'json'): Promise<ExportFile>;
  /** subscribe follows the live events until the returned function is called; it reconnects by itself. */
  subscribe(handlers: EventHandlers): () => void;
}

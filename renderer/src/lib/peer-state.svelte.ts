// PeerState is the reactive view of one peer that the components share: its
// status, its notes, its event log and the live connection, kept current by
// the client's event stream, plus the writes this page has in flight.
import { UndoDeletes } from './undo-delete.svelte.ts';
import { ClientError, type ClientApi, type ConnectionState, type LogLine, type NotesSnapshot, type PeerStatus, type WriteResult } from '../../../client/client-api.ts';

/** MAX_LOG_LINES bounds the event log kept in the page. */
export const MAX_LOG_LINES = 300;
/** SHOWN_WAIT_MS is how long a note sent waits for its `notes` event before "sending…" goes anyway. */
const SHOWN_WAIT_MS = 3_000;

/** Sending is a note this page sent that the peer has not answered yet. */
export interface Sending {
  key: number;
  text: string;
  /** The notes and pending requests with this text already shown when it was sent: a new one is this note. */
  before: Set<string>;
}

/** PeerState holds what the page shows of one peer. */
export class PeerState {
  readonly client: ClientApi;
  /** null until the first status arrives. */
  status = $state.raw<PeerStatus | null>(null);
  /** null until the first notes arrive. */
  notes = $state.raw<NotesSnapshot | null>(null);
  /** Newest last; at most MAX_LOG_LINES. */
  log = $state.raw<LogLine[]>([]);
  /** Notes added on this page whose request is still open. */
  sending = $state.raw<Sending[]>([]);
  connection = $state<ConnectionState>('connecting');
  /** When the stream is down: the wait before the next try. */
  retryInMs = $state(0);
  /** Why the peer refused the event stream (e.g. the token changed), or null. */
  refusal = $state<string | null>(null);
  /** The notes deleted on this page that "Undo" can still take back. */
  readonly deletes: UndoDeletes;
  private nextKey = 1;
  /** Called after each `notes` event (addNote waits on them for its note to show). */
  private notesListeners = new Set<() => void>();

  constructor(client: ClientApi) {
    this.client = client;
    this.deletes = new UndoDeletes(client);
  }

  /** start follows the peer's live events; it returns the function that stops following. */
  start(): () => void {
    return this.client.subscribe({
      status: (s) => { this.status = s; },
      notes: (n) => {
        this.notes = n;
        for (const listener of [...this.notesListeners]) listener();
      },
      log: (line) => { this.log = [...this.log.slice(-(MAX_LOG_LINES - 1)), line]; },
      connection: (state, retryInMs, refusal) => {
        this.connection = state;
        this.retryInMs = retryInMs ?? 0;
        this.refusal = refusal ?? null;
        if (state === 'open') void this.refresh();
      },
    });
  }

  /**
   * refresh reads the status once (after an action whose effect the page
   * shows at once). The notes come only from the event stream, whose changes
   * are small however big the notebook.
   */
  async refresh(): Promise<void> {
    try {
      this.status = await this.client.status();
    } catch (error) {
      // The event stream reports the connection; the next event brings the state.
      // Over IPC nothing else tells a page of another origin that the app refuses it.
      if (error instanceof ClientError && error.code === 'forbidden-origin') this.refusal = error.message;
    }
  }

  /** addNote sends a note and shows it as sending until the peer answers. */
  async addNote(text: string): Promise<WriteResult> {
    const entry = { key: this.nextKey++, text, before: this.shownWithText(text) };
    this.sending = [...this.sending, entry];
    try {
      const result = await this.client.addNote(text);
      // The note shows "sending…" until its `notes` event has come (usually before the answer).
      await this.untilShown(result, SHOWN_WAIT_MS);
      return result;
    } finally {
      this.sending = this.sending.filter((s) => s !== entry);
    }
  }

  /** untilShown waits up to `ms` for the list to show the note or pending request of `result`. */
  private untilShown(result: WriteResult, ms: number): Promise<void> {
    const shown = () => result.committed
      ? this.notes?.notes.some((n) => n.id === result.note.id) === true
      : this.notes?.pending.some((p) => p.requestId === result.pending.requestId) === true;
    if (shown()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.notesListeners.delete(check);
        resolve();
      };
      const check = () => { if (shown()) done(); };
      const timer = setTimeout(done, ms);
      this.notesListeners.add(check);
    });
  }

  /**
   * unanswered are the notes sent and not answered yet that the list does not
   * show otherwise: the `notes` event of a committed or pending note often
   * arrives before the answer to its request, and one note is shown once.
   */
  get unanswered(): Sending[] {
    return this.sending.filter((s) => [...this.shownWithText(s.text)].every((id) => s.before.has(id)));
  }

  private shownWithText(text: string): Set<string> {
    const notes = this.notes;
    if (notes === null) return new Set();
    return new Set([
      ...notes.notes.filter((n) => n.text === text).map((n) => n.id),
      ...notes.pending.filter((p) => p.op === 'add' && p.text === text).map((p) => p.requestId),
    ]);
  }

  /** isLeader says whether this peer leads now. */
  get isLeader(): boolean {
    return this.status?.role === 'leader';
  }

  /** leaderName is the name of the leader this peer knows, or null. */
  get leaderName(): string | null {
    const status = this.status;
    if (status === null || status.leaderId === null) return null;
    return status.members.find((m) => m.id === status.leaderId)?.name ?? status.leaderId.slice(-8);
  }
}

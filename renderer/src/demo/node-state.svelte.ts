// NodeState is what the dashboard shows of one demo peer: its process and its
// Raft status (live, from the demo server's one event stream, which DemoState
// routes here by peer name) and the window of its log being shown. Its client
// sends the presenter's commands to the peer through the server's proxy.
import { createHttpClient } from '../../../client/http-client.ts';
import type { ClientApi, ConnectionState, LogLine, PeerStatus } from '../../../client/client-api.ts';
import type { DemoApi, DemoPeer, LogPage } from './demo-api.ts';

/** REPLACED_SHOWN_MS is how long a replaced entry stays shown, struck through. */
export const REPLACED_SHOWN_MS = 20_000;

/** NodeEvents is whom a node tells about what it hears. */
export interface NodeEvents {
  status: (node: NodeState, previous: PeerStatus | null) => void;
  log: (node: NodeState, line: LogLine) => void;
}

/** NodeState follows one peer. */
export class NodeState {
  readonly name: string;
  readonly client: ClientApi;
  private readonly api: DemoApi;
  private readonly events: NodeEvents;
  process = $state.raw<DemoPeer>(null!);
  /** The last status heard; kept (and shown dimmed) while the peer is stopped. */
  status = $state.raw<PeerStatus | null>(null);
  /** The entries of the shown window, with the log's landmarks. */
  log = $state.raw<LogPage | null>(null);
  /** The demo server's stream from this peer: 'reconnecting' while the server retries it. */
  connection = $state<ConnectionState | 'closed'>('closed');
  /** The action under way ("Crash", "Restart"…), which disables the buttons. */
  busy = $state<string | null>(null);
  /** Notes sent to this node and not answered yet (they never disable its buttons). */
  sending = $state(0);
  /** Entries this node held that a leader's log replaced, by index, shown struck through until `until` (Date.now()). */
  replaced = $state.raw<Map<number, { term: number; summary: string; until: number }>>(new Map());
  error = $state<string | null>(null);
  private fetchedKey = '';
  private fetching = false;
  private window = { from: 1, limit: 1 };

  constructor(peer: DemoPeer, token: string, api: DemoApi, events: NodeEvents) {
    this.name = peer.name;
    this.process = peer;
    this.api = api;
    this.events = events;
    this.client = createHttpClient({ baseUrl: `/peers/${encodeURIComponent(peer.name)}`, token });
  }

  /** running says whether the peer's process is up and answering. */
  get running(): boolean {
    return this.process.state === 'running';
  }

  /** role is what the dashboard shows: the Raft role, or "stopped" / "starting". */
  get role(): string {
    if (this.process.state !== 'running') return this.process.state === 'starting' ? 'starting' : 'stopped';
    return this.status?.role ?? 'starting';
  }

  /** update takes the process row from the demo server. */
  update(peer: DemoPeer): void {
    if (peer.pid !== this.process.pid) this.fetchedKey = '';
    this.process = peer;
    if (peer.state !== 'running') this.connection = 'closed';
  }

  /** hearStatus takes the peer's status from the demo server's stream. */
  hearStatus(status: PeerStatus): void {
    const previous = this.status;
    this.status = status;
    this.events.status(this, previous);
  }

  /** hearLog takes one of the peer's log lines from the demo server's stream. */
  hearLog(line: LogLine): void {
    this.events.log(this, line);
  }

  /** hearUpstream takes the state of the demo server's stream from the peer. */
  hearUpstream(state: 'open' | 'lost' | 'closed'): void {
    this.connection = state === 'open' ? 'open' : state === 'lost' && this.running ? 'reconnecting' : 'closed';
  }

  /** noteReplaced remembers the entries of `before` that `after` holds in another term: a leader's log replaced them. */
  private noteReplaced(before: LogPage | null, after: LogPage): void {
    if (before === null) return;
    const now = Date.now();
    const old = new Map(before.entries.map((e) => [e.index, e]));
    const replaced = new Map([...this.replaced].filter(([, r]) => r.until > now));
    for (const e of after.entries) {
      const was = old.get(e.index);
      if (was !== undefined && was.term !== e.term) replaced.set(e.index, { term: was.term, summary: was.summary, until: now + REPLACED_SHOWN_MS });
    }
    if (replaced.size > 0 || this.replaced.size > 0) this.replaced = replaced;
  }

  /** refreshLog reads the log window [from, from + limit) again when the peer's log or the window moved. */
  refreshLog(from: number, limit: number): void {
    this.window = { from, limit };
    const s = this.status;
    if (!this.running || s === null || this.fetching) return;
    const key = `${from}:${limit}:${s.lastIndex}:${s.commitIndex}:${s.term}`;
    if (key === this.fetchedKey) return;
    this.fetching = true;
    void this.api.log(this.name, limit, from).then((page) => {
      this.noteReplaced(this.log, page);
      this.log = page;
      this.fetchedKey = key;
    }, () => {
      // stopped meanwhile: the next status or process event tells
    }).finally(() => {
      this.fetching = false;
      // What changed while reading is read now.
      if (this.fetchedKey === key) this.refreshLog(this.window.from, this.window.limit);
    });
  }
}

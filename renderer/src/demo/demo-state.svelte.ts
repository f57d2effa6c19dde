// DemoState is the dashboard's shared reactive state: every node of the demo
// cluster, the window of log indexes shown (the same for all, so entries line
// up by index), and one timeline merged from all nodes: elections, leader
// changes, partitions, commits, and what the presenter did. It follows the
// whole cluster on ONE event stream, the demo server's /api/demo/events (one
// stream per node would use up the browser's six connections per host), and
// routes each event to its node by the peer name the event carries.
import { errorText } from '../lib/format.ts';
import { openEventStream } from '../../../client/event-stream.ts';
import type { LogLine, PeerStatus } from '../../../client/client-api.ts';
import { DemoApi, type DemoPeer } from './demo-api.ts';
import { NodeState } from './node-state.svelte.ts';

/** LOG_WINDOW is how many log indexes the dashboard shows. */
export const LOG_WINDOW = 24;
/** MAX_TIMELINE bounds the timeline. */
export const MAX_TIMELINE = 300;

/** TimelineKind colours a timeline line. */
export type TimelineKind = 'election' | 'leader' | 'partition' | 'commit' | 'process' | 'client' | 'error' | 'info';

/** TimelineItem is one line of the timeline. */
export interface TimelineItem {
  key: number;
  at: number;
  node: string | null;
  kind: TimelineKind;
  text: string;
}

/** DemoState follows the whole demo. */
export class DemoState {
  readonly api: DemoApi;
  private readonly token: string;
  nodes = $state.raw<NodeState[]>([]);
  /** Newest first. */
  timeline = $state.raw<TimelineItem[]>([]);
  dataDir = $state('');
  temporary = $state(true);
  /** Set while the demo server does not answer. */
  error = $state<string | null>(null);
  /** The first log index shown. */
  windowStart = $state(1);
  private nextKey = 1;
  private noteCount = 0;
  private unsubscribe: (() => void) | null = null;
  /** The peers' log lines already shown: a reconnected event stream starts with the recent ones again. */
  private readonly seenLines = new Set<string>();

  constructor(token: string) {
    this.token = token;
    this.api = new DemoApi(token);
  }

  /** start follows the demo server's event stream; each time it opens, the peers' list is read once for the page's facts. */
  start(): void {
    this.unsubscribe = openEventStream({
      url: '/api/demo/events',
      headers: { authorization: `Bearer ${this.token}` },
      onEvent: ({ event, data }) => this.onEvent(event, data),
      onState: (state, _retryInMs, refusal) => {
        if (state === 'open') void this.poll();
        else this.error = refusal ?? 'The demo does not answer: is `raftnotes demo` still running? The page reconnects by itself.';
      },
    });
  }

  /** close ends the event stream. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** leaders are the nodes that say they lead (two, for a moment, when an old leader is cut off). */
  get leaders(): NodeState[] {
    return this.nodes.filter((n) => n.running && n.status?.role === 'leader');
  }

  /** nameOf is a node's name for a peer id, or the id's end. */
  nameOf(id: string | null | undefined): string {
    if (id === null || id === undefined) return '—';
    return this.nodes.find((n) => n.process.peerId === id)?.name ?? id.slice(-6);
  }

  /** named replaces the peer ids in `text` with node names. */
  named(text: string): string {
    let out = text;
    for (const n of this.nodes) if (n.process.peerId) out = out.replaceAll(n.process.peerId, n.name);
    return out;
  }

  // ---- The presenter's actions -----------------------------------------------

  /** crash kills a node (kill -9). */
  crash(node: NodeState): Promise<void> {
    return this.act(node, 'Crash', async () => {
      this.add(node.name, 'process', `${node.name} crashed (kill -9): no goodbye, no hand-over`);
      node.update(await this.api.act(node.name, 'crash'));
    });
  }

  /** stop stops a node gently (a leader hands leadership over first). */
  stop(node: NodeState): Promise<void> {
    return this.act(node, 'Stop', async () => {
      this.add(node.name, 'process', `${node.name} is stopping gently${node.status?.role === 'leader' ? ' (hands leadership over first)' : ''}`);
      node.update(await this.api.act(node.name, 'stop'));
      this.add(node.name, 'process', `${node.name} stopped`);
    });
  }

  /** restart starts a stopped node again on its data. */
  restart(node: NodeState): Promise<void> {
    return this.act(node, 'Restart', async () => {
      this.add(node.name, 'process', `${node.name} restarts on its data (its log survived)`);
      node.update(await this.api.act(node.name, 'start'));
    });
  }

  /** toggleIsolation cuts a node off from all the others, or reconnects it. */
  toggleIsolation(node: NodeState): Promise<void> {
    const isolate = node.status?.isolated !== true;
    return this.act(node, isolate ? 'Isolate' : 'Reconnect', async () => {
      await node.client.setIsolated(isolate);
      this.add(node.name, 'partition', isolate ? `${node.name} is cut off from every other node (network partition)` : `${node.name} reconnects to the others`);
    });
  }

  /** makeLeader asks the current leader to hand leadership to `node`. */
  makeLeader(node: NodeState): Promise<void> {
    return this.act(node, 'Make leader', async () => {
      const leader = this.leaders.find((n) => !n.status?.isolated) ?? this.leaders[0];
      if (leader === undefined) throw new Error('There is no leader right now to hand leadership over; wait for the election.');
      if (node.process.peerId === null) throw new Error(`${node.name} has not started yet.`);
      this.add(node.name, 'leader', `${leader.name} hands leadership to ${node.name} (TimeoutNow)`);
      await leader.client.transferLeadership(node.process.peerId);
    });
  }

  /** addNote sends a client request to `node`: the note is committed once a majority holds it. */
  addNote(node: NodeState, text: string): Promise<void> {
    const body = text.trim() === '' ? `x = ${++this.noteCount}` : text.trim();
    return this.act(node, 'Add note', async () => {
      this.add(node.name, 'client', `client → ${node.name}: add "${body}"`);
      const result = await node.client.addNote(body);
      this.add(node.name, 'client', result.committed
        ? `"${body}" committed (entry ${result.note.seq})`
        : `"${body}" waits on ${node.name}: no majority answered within 2 s (kept, committed later)`);
    });
  }

  // ---- Following the nodes ---------------------------------------------------

  private async act(node: NodeState, what: string, run: () => Promise<void>): Promise<void> {
    node.busy = what;
    node.error = null;
    try {
      await run();
    } catch (error) {
      node.error = errorText(error);
      this.add(node.name, 'error', `${what} ${node.name}: ${errorText(error)}`);
    } finally {
      node.busy = null;
    }
  }

  /** poll reads the peers' list once the stream opens: the data directory (the stream replays the processes). */
  private async poll(): Promise<void> {
    let answer;
    try {
      answer = await this.api.peers();
    } catch (error) {
      this.error = errorText(error);
      return;
    }
    this.error = null;
    this.dataDir = answer.dataDir;
    this.temporary = answer.temporary;
    // Only nodes the stream has not named yet: its own rows are newer than this answer may be.
    for (const peer of answer.peers) if (!this.nodes.some((n) => n.name === peer.name)) this.onProcess(peer);
  }

  /** onEvent routes one event of the demo server's stream, `{peer, data}`, to its node. */
  private onEvent(event: string, text: string): void {
    let message: { peer?: unknown; data?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message?.peer !== 'string' || typeof message.data !== 'object' || message.data === null) return;
    if (event === 'process') {
      this.onProcess(message.data as DemoPeer);
      this.refreshLogs();
      return;
    }
    const node = this.nodes.find((n) => n.name === message.peer);
    if (node === undefined) return;
    if (event === 'status') node.hearStatus(message.data as PeerStatus);
    else if (event === 'log') node.hearLog(message.data as LogLine);
    else if (event === 'upstream') node.hearUpstream((message.data as { state: 'open' | 'lost' | 'closed' }).state);
  }

  /** onProcess takes a peer's process row: a node seen first is added, in the cluster's order. */
  private onProcess(peer: DemoPeer): void {
    const node = this.nodes.find((n) => n.name === peer.name);
    if (node === undefined) {
      const added = new NodeState(peer, this.token, this.api, {
        status: (n, previous) => this.onStatus(n, previous),
        log: (n, line) => this.onLog(n, line),
      });
      this.nodes = [...this.nodes, added].sort((a, b) => a.name.localeCompare(b.name));
      return;
    }
    if (node.process.state !== 'stopped' && peer.state === 'stopped' && node.busy === null) {
      this.add(node.name, 'process', `${node.name} ${peer.lastExit ?? 'stopped'}`);
    }
    node.update(peer);
  }

  private onStatus(node: NodeState, previous: PeerStatus | null): void {
    const s = node.status!;
    const p = previous;
    if (p === null || p.role !== s.role || p.term !== s.term) {
      if (s.role === 'leader') this.add(node.name, 'leader', `${node.name} is leader of term ${s.term}`);
      else if (s.role === 'candidate') this.add(node.name, 'election', `${node.name} starts an election for term ${s.term} and votes for itself`);
      else if (s.role === 'precandidate') this.add(node.name, 'election', `${node.name} heard no leader: asks whether it could win (pre-vote)`);
      else if (s.role === 'follower' && p !== null && (p.role !== 'follower' || p.term !== s.term)) {
        const vote = s.votedFor ? `voted for ${this.nameOf(s.votedFor)}` : 'did not vote';
        this.add(node.name, 'election', s.leaderId !== null
          ? `${node.name} follows ${this.nameOf(s.leaderId)} in term ${s.term}`
          : `${node.name} moves to term ${s.term}: no leader known yet, ${vote}`);
      }
    }
    if (p !== null && p.isolated !== s.isolated && !s.isolated) this.add(node.name, 'partition', `${node.name} is connected again`);
    if (p !== null && s.role === 'leader' && s.commitIndex > p.commitIndex) {
      const range = s.commitIndex - p.commitIndex === 1 ? `entry ${s.commitIndex}` : `entries ${p.commitIndex + 1}–${s.commitIndex}`;
      this.add(node.name, 'commit', `${node.name} (leader) commits ${range}: a majority holds them`);
    }
    this.refreshLogs();
  }

  private onLog(node: NodeState, line: LogLine): void {
    // Role changes are told from the status; the peer's own lines add the rest (connections, hand-overs…).
    if (/^(leader|follower|candidate|precandidate) in term/.test(line.text)) return;
    const seen = `${node.name}\n${line.at}\n${line.text}`;
    if (this.seenLines.has(seen)) return;
    if (this.seenLines.size > 5_000) this.seenLines.clear();
    this.seenLines.add(seen);
    const kind: TimelineKind = /cut off|reconnect|lost|connected to/.test(line.text) ? 'partition' : /leadership/.test(line.text) ? 'leader' : 'info';
    this.add(node.name, kind, `${node.name}: ${line.text}`, line.at);
  }

  /** refreshLogs moves the shown window to the newest index any node holds and rereads the logs that changed. */
  private refreshLogs(): void {
    const last = Math.max(0, ...this.nodes.map((n) => n.status?.lastIndex ?? 0));
    this.windowStart = Math.max(1, last - LOG_WINDOW + 1);
    for (const n of this.nodes) n.refreshLog(this.windowStart, LOG_WINDOW);
  }

  private add(node: string | null, kind: TimelineKind, text: string, at = Date.now()): void {
    // A peer's lines carry its own clock and may arrive late: keep the timeline in time order, newest first.
    const item = { key: this.nextKey++, at, node, kind, text };
    const items = [...this.timeline];
    const at_ = items.findIndex((i) => i.at <= at);
    items.splice(at_ < 0 ? items.length : at_, 0, item);
    this.timeline = items.slice(0, MAX_TIMELINE);
  }
}

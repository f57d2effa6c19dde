// DemoState is the dashboard's shared reactive state: every node of the demo
// cluster, the window of log indexes shown (the same for all, so entries line
// up by index), and one timeline merged from all nodes: elections, leader
// changes, partitions, commits, and what the presenter did. It follows the
// whole cluster on ONE event stream, the demo server's /api/demo/events (one
// stream per node would use up the browser's six connections per host), and
// routes each event to its node by the peer name the event carries. The
// peers' trace batches and the demo's lab settings go to LabView (dots,
// timers, the messages as text); the lab controls (clock, safeguards,
// partition, split vote) go to the demo server, which applies them to every
// peer. The timeline is filtered by kind, connections folded by default.
import { errorText } from '../lib/format.ts';
import { openEventStream } from '../../../client/event-stream.ts';
import type { LogLine, PeerStatus } from '../../../client/client-api.ts';
import type { TraceBatch } from '../../../core/api/types.ts';
import type { DemoLabSettings } from '../../../demo/view.ts';
import { LabView, type VoteEvent } from './lab-view.svelte.ts';
import { DemoApi, type DemoPeer } from './demo-api.ts';
import { NodeState } from './node-state.svelte.ts';

/** LOG_WINDOW is how many log indexes the dashboard shows. */
export const LOG_WINDOW = 24;
/** MAX_TIMELINE bounds the timeline. */
export const MAX_TIMELINE = 300;

/** TimelineKind colours a timeline line. */
export type TimelineKind = 'election' | 'leader' | 'partition' | 'commit' | 'process' | 'client' | 'error' | 'info' | 'membership' | 'connection' | 'lab';

/** TimelineFilter is a group of kinds the timeline can hide; the other kinds always show. */
export type TimelineFilter = 'elections' | 'replication' | 'membership' | 'connections';

/** FILTER_KINDS are the kinds each filter shows. */
export const FILTER_KINDS: Readonly<Record<TimelineFilter, readonly TimelineKind[]>> = {
  elections: ['election', 'leader'],
  replication: ['commit', 'client'],
  membership: ['membership'],
  connections: ['connection'],
};

/** SEEDS_PARTITION is the seeds' split of five nodes: A and B cut off from C, D and E. */
export const SEEDS_PARTITION: string[][] = [['A', 'B'], ['C', 'D', 'E']];

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
  /** The trace (dots, timers, messages) and the lab settings. */
  readonly lab: LabView;
  /** Which groups of kinds the timeline shows; connections are folded by default. */
  filters = $state<Record<TimelineFilter, boolean>>({ elections: true, replication: true, membership: true, connections: false });
  /** The groups picked for "Cut into groups" (1 to 3 by node; 1 when not picked), by the selects or by dragging nodes on the circle. */
  groupPicks = $state<Record<string, number>>({});
  /** Set while a lab control is being applied (its name). */
  labBusy = $state<string | null>(null);
  labError = $state<string | null>(null);
  private nextKey = 1;
  private noteCount = 0;
  private unsubscribe: (() => void) | null = null;
  /** The peers' log lines already shown: a reconnected event stream starts with the recent ones again. */
  private readonly seenLines = new Set<string>();

  constructor(token: string) {
    this.token = token;
    this.api = new DemoApi(token);
    this.lab = new LabView((id) => this.nameOf(id), (event) => this.onVote(event));
  }

  /** shownTimeline is the timeline through the filters. */
  get shownTimeline(): TimelineItem[] {
    const hidden = new Set((Object.keys(FILTER_KINDS) as TimelineFilter[]).filter((f) => !this.filters[f]).flatMap((f) => FILTER_KINDS[f]));
    return this.timeline.filter((i) => !hidden.has(i.kind));
  }

  /** hiddenCount is how many lines the filters hide now. */
  get hiddenCount(): number {
    return this.timeline.length - this.shownTimeline.length;
  }

  /** roleOf is a node's role as shown: its status's, or "candidate" when the trace shows it asking for votes in a newer term than its status knows. */
  roleOf(node: NodeState): string {
    const role = node.role;
    if (!node.running || node.status === null) return role;
    const asked = this.lab.candidateTerms[node.name] ?? 0;
    return asked > node.status.term ? 'candidate' : role;
  }

  /** groupOf is the partition group (1, 2…) a node is in, or null when there is no partition. */
  groupOf(name: string): number | null {
    const i = this.lab.settings.groups.findIndex((g) => g.includes(name));
    return i < 0 ? null : i + 1;
  }

  /** cutOff says whether two nodes cannot talk: a partition between them, or either isolated. */
  cutOff(a: string, b: string): boolean {
    const ga = this.groupOf(a);
    const gb = this.groupOf(b);
    if (ga !== null && gb !== null && ga !== gb) return true;
    const isolated = (n: string) => this.nodes.find((x) => x.name === n)?.status?.isolated === true;
    return isolated(a) || isolated(b);
  }

  // ---- The lab: the clocks, the safeguards, the partition ----------------------

  /** setClock changes every peer's Raft clock (tick length, pause, one step). */
  setClock(change: { tickMs?: number; paused?: boolean; step?: number }): Promise<void> {
    const what = change.step !== undefined ? `one tick on every node` : change.paused === true ? 'the clocks paused: no tick, no heartbeat, no election'
      : change.paused === false ? 'the clocks run again' : `a tick now lasts ${change.tickMs} ms`;
    return this.labAct(change.step !== undefined ? 'Step' : 'Clock', () => this.api.lab('clock', change), what);
  }

  /** setSafeguards turns PreVote and CheckQuorum on or off on every peer. */
  setSafeguards(change: { preVote?: boolean; checkQuorum?: boolean }): Promise<void> {
    const parts = Object.entries(change).map(([k, v]) => `${k === 'preVote' ? 'PreVote' : 'CheckQuorum'} ${v ? 'on' : 'off'}`);
    return this.labAct('Safeguards', () => this.api.lab('safeguards', change), `${parts.join(', ')} on every node`);
  }

  /** pickedGroups are the groups of groupPicks, for partition(). */
  pickedGroups(): string[][] {
    const groups: string[][] = [[], [], []];
    for (const n of this.nodes) groups[(this.groupPicks[n.name] ?? 1) - 1]!.push(n.name);
    return groups.filter((g) => g.length > 0);
  }

  /** dropOnto puts `name` in the picked group of `target`, or in a group of its own (up to three) when `target` is null. */
  dropOnto(name: string, target: string | null): void {
    const picks = { ...this.groupPicks };
    if (target !== null) {
      picks[name] = picks[target] ?? 1;
    } else {
      const used = new Set(this.nodes.filter((n) => n.name !== name).map((n) => picks[n.name] ?? 1));
      picks[name] = [1, 2, 3].find((g) => !used.has(g)) ?? 3;
    }
    this.groupPicks = picks;
  }

  /** partition cuts the groups off from each other (real cuts between the peers). */
  partition(groups: string[][]): Promise<void> {
    return this.labAct('Partition', () => this.api.lab('partition', { groups }),
      `network partition: ${groups.map((g) => `{${g.join(', ')}}`).join(' | ')}`);
  }

  /** heal removes the partition. */
  heal(): Promise<void> {
    return this.labAct('Heal', () => this.api.lab('partition', { groups: [] }), 'the partition is healed: every node can reach every other');
  }

  /** splitVote makes `names` time out on the same tick. */
  splitVote(names: string[]): Promise<void> {
    return this.labAct('Split vote', () => this.api.lab('split-vote', { names }),
      `${names.join(' and ')} time out on the same tick: both become candidates for the same term`);
  }

  private async labAct(what: string, run: () => Promise<DemoLabSettings>, text: string): Promise<void> {
    this.labBusy = what;
    this.labError = null;
    try {
      this.lab.hearSettings(await run());
      this.add(null, 'lab', text);
    } catch (error) {
      this.labError = `${what}: ${errorText(error)}`;
      this.add(null, 'error', this.labError);
    } finally {
      this.labBusy = null;
    }
  }

  /** start follows the demo server's event stream; each time it opens, the peers' list is read once for the page's facts. */
  start(): void {
    this.lab.start();
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
    this.lab.stop();
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

  /**
   * addNote sends a client request to `node`: the note is committed once a
   * majority holds it. The node's other buttons stay live meanwhile (a note
   * waiting for a majority must not keep anyone from reconnecting its node).
   */
  async addNote(node: NodeState, text: string): Promise<void> {
    const body = text.trim() === '' ? `x = ${++this.noteCount}` : text.trim();
    node.sending++;
    node.error = null;
    try {
      this.add(node.name, 'client', `client → ${node.name}: add "${body}"`);
      const result = await node.client.addNote(body);
      this.add(node.name, 'client', result.committed
        ? `"${body}" committed (entry ${result.note.seq})`
        : `"${body}" waits on ${node.name}: no majority answered within 2 s (kept in its outbox, proposed again until it commits)`);
    } catch (error) {
      node.error = errorText(error);
      this.add(node.name, 'error', `Add note on ${node.name}: ${errorText(error)}`);
    } finally {
      node.sending--;
    }
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
    if (event === 'lab') {
      this.lab.hearSettings(message.data as DemoLabSettings);
      return;
    }
    if (event === 'process') {
      this.onProcess(message.data as DemoPeer);
      this.refreshLogs();
      return;
    }
    const node = this.nodes.find((n) => n.name === message.peer);
    if (node === undefined) return;
    if (event === 'status') node.hearStatus(message.data as PeerStatus);
    else if (event === 'log') node.hearLog(message.data as LogLine);
    else if (event === 'trace') this.lab.hearTrace(node.name, message.data as TraceBatch);
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
    if (p === null || p.role !== s.role || p.term !== s.term || p.leaderId !== s.leaderId) {
      for (const [kind, text] of describeChange(node.name, p, s, (id) => this.nameOf(id), this.lab.candidateTerms[node.name] ?? 0)) {
        this.add(node.name, kind, text);
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
    const kind: TimelineKind = /^(connected to|lost) /.test(line.text) ? 'connection'
      : /cut off|reconnect|partition|PreVote/.test(line.text) ? 'partition'
      : /leadership/.test(line.text) ? 'leader'
      : /member|learner|voter|join|promot/.test(line.text) ? 'membership' : 'info';
    this.add(node.name, kind, `${node.name}: ${line.text}`, line.at);
  }

  /** onVote tells the timeline what the trace shows of an election: a candidate, a vote given. */
  private onVote(event: VoteEvent): void {
    if (event.kind === 'candidate') {
      this.add(event.node, 'election', `${event.node} times out and becomes a candidate for term ${event.term}: it votes for itself and asks the others for votes`, event.at);
    } else {
      this.add(event.node, 'election', `${event.node} votes for ${event.for} in term ${event.term}`, event.at);
    }
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

/**
 * describeChange words what a node's new status says happened, as the
 * timeline tells it: a new leader, a node that follows, a leader that steps
 * down (it saw a higher term, or heard no majority), a pre-vote. A candidacy
 * the trace already told (candidateTerm) is not told again.
 */
export function describeChange(name: string, p: PeerStatus | null, s: PeerStatus, nameOf: (id: string | null) => string, candidateTerm: number): Array<[TimelineKind, string]> {
  const out: Array<[TimelineKind, string]> = [];
  if (p !== null && p.role === 'leader' && s.role !== 'leader') {
    out.push(['leader', s.term > p.term
      ? `${name} steps down: it saw term ${s.term}`
      : `${name} steps down in term ${s.term}: it no longer hears a majority (CheckQuorum), or handed leadership over`]);
  } else if (p !== null && p.role === 'candidate' && s.role === 'follower' && s.term > p.term) {
    out.push(['election', `${name} stops campaigning: it saw term ${s.term}`]);
  }
  if (s.role === 'leader' && (p === null || p.role !== 'leader' || p.term !== s.term)) {
    out.push(['leader', `${name} is leader of term ${s.term}`]);
  } else if (s.role === 'candidate' && (p === null || p.role !== 'candidate' || p.term !== s.term) && candidateTerm < s.term) {
    out.push(['election', `${name} times out and becomes a candidate for term ${s.term}: it votes for itself`]);
  } else if (s.role === 'precandidate' && p?.role !== 'precandidate') {
    out.push(['election', `${name} hears no leader: it asks whether it could win (pre-vote) before raising the term`]);
  } else if (s.role === 'follower' && p !== null && s.leaderId !== null && (p.leaderId !== s.leaderId || p.term !== s.term)) {
    out.push(['election', `${name} follows ${nameOf(s.leaderId)} in term ${s.term}`]);
  } else if (s.role === 'follower' && p !== null && s.term > p.term && s.leaderId === null && p.role !== 'leader') {
    out.push(['election', `${name} sees term ${s.term}${s.votedFor ? ` and votes for ${nameOf(s.votedFor)}` : ''}; no leader known yet`]);
  }
  return out;
}

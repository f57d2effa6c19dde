// DemoEvents is the dashboard's one event stream (GET /api/demo/events): the
// demo server follows each running (or stopping) peer's own stream
// (PeerUpstream) and fans every event out to all dashboards on one
// connection, so a page with nine nodes needs one browser connection, not
// nine (browsers allow six per host). A dashboard that connects late first
// gets, per peer, what it needs to draw: its process row, its upstream state,
// its last status and notes, and its recent log lines (bounded). Each event
// names its peer; data is always JSON:
//
//   event: process   data: {"peer":"A","data":{name, state, api, pid, peerId, port, dataDir, lastExit}}
//   event: upstream  data: {"peer":"A","data":{"state":"open"} | {"state":"lost","retryInMs":500,"reason":"…"} | {"state":"closed"}}
//   event: status    data: {"peer":"A","data":{…the peer's status…}}
//   event: notes     data: {"peer":"A","data":{…the peer's notes snapshot…}}
//   event: log       data: {"peer":"A","data":{"at":1764500000000,"text":"leader in term 3"}}
//   event: trace     data: {"peer":"A","data":{…a batch of the peer's Raft messages and its timer (core/service/raft-trace.ts)…}}
//   event: lab       data: {"peer":"","data":{tickMs, paused, preVote, checkQuorum, groups}}  (the demo's settings, for all peers)
//
// Trace batches are passed on as they come and never replayed: they are what
// happens now, and a late dashboard draws from the next one.
//
// A subscriber whose unsent output passes maxBufferedBytes (a stalled or gone
// page) is closed (EventStreamWriter); its page reconnects and is replayed the
// current picture.
import type { HttpRequest, HttpResponse } from '../core/api/http/http-server.ts';
import { eventFrame, EventStreamWriter } from '../core/api/http/event-stream-writer.ts';
import { HttpError } from '../core/api/http/http-error.ts';
import type { DemoNodeView } from './view.ts';
import { PeerUpstream, type UpstreamState, type UpstreamTarget } from './upstream.ts';

/** REPLAY_LOG_LINES is how many recent log lines per peer a new dashboard is replayed (as many as a peer's own stream replays). */
export const REPLAY_LOG_LINES = 50;

/** DemoEventsInit tunes the fan-out; the defaults suit the demo. */
export interface DemoEventsInit {
  /** A subscriber with more than this many bytes not yet sent is closed. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Upstream reconnect backoff, first and longest wait. Defaults 250 and 5,000 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** LogLine is one line of a peer's event log. */
interface LogLine {
  at: number;
  text: string;
}

/** PeerRecord is what the server keeps of one peer. Invariant: upstream !== null iff the peer is running or stopping, with an API. */
interface PeerRecord {
  view: DemoNodeView;
  upstream: PeerUpstream | null;
  upstreamUrl: string | null;
  connection: UpstreamState | { state: 'closed' };
  status: object | null;
  notes: object | null;
  /** The last REPLAY_LOG_LINES lines, oldest first; `logKeys` holds their keys, to skip the lines a reopened stream replays. */
  log: LogLine[];
  logKeys: Set<string>;
}

/** DemoEvents follows the running peers and serves their events to every dashboard. */
export class DemoEvents {
  private readonly init: DemoEventsInit;
  /** In cluster order (the order the peers were first seen). */
  private readonly peers = new Map<string, PeerRecord>();
  private readonly subscribers = new Set<EventStreamWriter>();
  private stopped = false;
  /** The demo's lab settings as last told (setLab), replayed to new dashboards. */
  private lab: object | null = null;

  constructor(init: DemoEventsInit = {}) {
    this.init = init;
  }

  /** subscriberCount is how many dashboards are connected. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** update takes a peer's process row (and its API while it runs): it follows a running peer and lets go of a stopped one. */
  update(view: DemoNodeView, api: UpstreamTarget | null): void {
    if (this.stopped) return;
    let peer = this.peers.get(view.name);
    if (peer === undefined) {
      peer = { view, upstream: null, upstreamUrl: null, connection: { state: 'closed' }, status: null, notes: null, log: [], logKeys: new Set() };
      this.peers.set(view.name, peer);
    }
    peer.view = view;
    this.broadcast(frame('process', view.name, view));
    // A stopping peer is still followed: a leader tells how it hands over before it exits.
    const target = view.state === 'running' || view.state === 'stopping' ? api : null;
    if (target !== null && peer.upstreamUrl === target.url) return;
    if (peer.upstream !== null) {
      peer.upstream.stop();
      peer.upstream = null;
      peer.upstreamUrl = null;
      this.setConnection(peer, { state: 'closed' });
    }
    if (target === null) return;
    const record = peer;
    record.upstreamUrl = target.url;
    record.upstream = new PeerUpstream({
      target,
      minBackoffMs: this.init.minBackoffMs,
      maxBackoffMs: this.init.maxBackoffMs,
      onEvent: (event, data) => this.onPeerEvent(record, event, data),
      onState: (state) => this.setConnection(record, state),
    });
    record.upstream.start();
  }

  /** subscribe makes `res` an event stream: the current picture of every peer, then every new event. */
  subscribe(req: HttpRequest, res: HttpResponse): void {
    if (this.stopped) throw new HttpError(503, 'demo-stopping', 'The demo is stopping.');
    const stream = new EventStreamWriter(res, this.init.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.init.maxBufferedBytes });
    let replay = this.lab === null ? '' : frame('lab', '', this.lab);
    for (const peer of this.peers.values()) {
      const name = peer.view.name;
      replay += frame('process', name, peer.view) + frame('upstream', name, peer.connection);
      if (peer.status !== null) replay += frame('status', name, peer.status);
      if (peer.notes !== null) replay += frame('notes', name, peer.notes);
      for (const line of peer.log) replay += frame('log', name, line);
    }
    this.subscribers.add(stream);
    const drop = () => { this.subscribers.delete(stream); };
    stream.onClose(drop);
    req.once('close', drop);
    if (!stream.write(replay)) drop();
  }

  /** setLab tells every dashboard the demo's lab settings (clock, safeguards, partition). */
  setLab(settings: object): void {
    this.lab = settings;
    this.broadcast(frame('lab', '', settings));
  }

  /** stop lets go of every peer and ends every dashboard's stream. */
  stop(): void {
    this.stopped = true;
    for (const peer of this.peers.values()) peer.upstream?.stop();
    for (const stream of this.subscribers) stream.end();
    this.subscribers.clear();
  }

  private onPeerEvent(peer: PeerRecord, event: string, data: unknown): void {
    const name = peer.view.name;
    if (event === 'status' && isObject(data)) {
      peer.status = data;
    } else if (event === 'notes' && isObject(data)) {
      peer.notes = data;
    } else if (event === 'log' && isLogLine(data)) {
      const key = `${data.at}\n${data.text}`;
      // A reopened stream starts with the peer's recent lines again: those already kept are not news.
      if (peer.logKeys.has(key)) return;
      peer.log.push({ at: data.at, text: data.text });
      peer.logKeys.add(key);
      if (peer.log.length > REPLAY_LOG_LINES) {
        const old = peer.log.shift()!;
        peer.logKeys.delete(`${old.at}\n${old.text}`);
      }
      data = { at: data.at, text: data.text };
    } else if (event === 'trace' && isObject(data) && Array.isArray((data as { messages?: unknown }).messages)) {
      // passed on as it is: the peer built it, the page checks what it draws
    } else {
      return; // an event the dashboard does not know, or data of the wrong shape
    }
    this.broadcast(frame(event, name, data));
  }

  private setConnection(peer: PeerRecord, state: PeerRecord['connection']): void {
    peer.connection = state;
    this.broadcast(frame('upstream', peer.view.name, state));
  }

  private broadcast(chunk: string): void {
    for (const stream of this.subscribers) {
      if (!stream.write(chunk)) this.subscribers.delete(stream);
    }
  }
}

/** frame is one server-sent event naming its peer. */
function frame(event: string, peer: string, data: unknown): string {
  return eventFrame(event, { peer, data });
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLogLine(value: unknown): value is LogLine {
  return isObject(value) && typeof (value as LogLine).at === 'number' && typeof (value as LogLine).text === 'string';
}

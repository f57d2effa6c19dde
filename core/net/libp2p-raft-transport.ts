// Libp2pRaftTransport: the RaftTransport over libp2p streams on /raftnotes/raft/1.
//
// Each peer opens one long-lived outbound stream to each other peer and only
// writes on it; the other end only reads. Frames queued in one turn of the
// event loop go out in one send(); when send() returns false the link waits
// for the stream's 'drain' event (stream.onDrain() settles early, docs/architecture.md, "Stream facts")
// while new frames wait in a bounded queue, dropped when it is full. A stream
// is freed only when both ends close their write side, so each end closes its
// own on 'remoteCloseWrite'. When a stream closes, the link redials with
// exponential backoff capped at redialMaxMs, forever, unless the peer was
// removed or this peer is isolated. A malformed or oversized frame aborts only
// the stream it came on.
import { peerIdFromString } from '@libp2p/peer-id';
import { TypedEventEmitter } from '@libp2p/interface';
import type { Connection, Libp2p, Logger, PeerId, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { NodeId } from '../raft/types.ts';
import { IsolatedError } from './errors.ts';
import { encodeFramePrefixed } from './frame-encode.ts';
import type { Frame } from './frame.ts';
import type { IsolationGate } from './isolation-gate.ts';
import { OutboundLink, transportStats } from './outbound-link.ts';
import { RaftDialer } from './raft-dialer.ts';
import { RaftInbound } from './raft-inbound.ts';
import { RAFT_PROTOCOL, TRANSPORT_DEFAULTS } from './raft-transport.ts';
import type { FrameHandler, RaftTransport, RaftTransportEvents, RaftTransportOptions, TransportStats } from './raft-transport.ts';

/** CLOSE_TIMEOUT_MS bounds a graceful close; a stream or connection still open then is aborted. */
const CLOSE_TIMEOUT_MS = 1000;

/** Libp2pRaftTransportComponents are what a Libp2pRaftTransport runs on. */
export interface Libp2pRaftTransportComponents {
  libp2p: Libp2p;
  gate: IsolationGate;
}

interface LinkState {
  link: OutboundLink;
  dialer: RaftDialer;
}

/** Libp2pRaftTransport is the RaftTransport of a running libp2p node. */
export class Libp2pRaftTransport extends TypedEventEmitter<RaftTransportEvents> implements RaftTransport {
  readonly localId: NodeId;
  private readonly libp2p: Libp2p;
  private readonly gate: IsolationGate;
  private readonly opts: Required<RaftTransportOptions>;
  private readonly log: Logger;
  private readonly links = new Map<NodeId, LinkState>();
  private readonly inbound: RaftInbound;
  private handler: FrameHandler | null = null;
  private stopped = false;
  private handlerErrors = 0;
  private readonly onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    const state = this.links.get(evt.detail.toString());
    if (state !== undefined && state.link.wanted && !state.link.reachable) state.dialer.hurry();
  };
  private readonly onGateChange = (evt: CustomEvent<boolean>): void => {
    if (evt.detail) {
      this.cutOff();
      return;
    }
    for (const [id, state] of this.links) {
      if (this.gate.blocks(id)) state.dialer.abort(new IsolatedError());
      else if (state.link.wanted) state.dialer.hurry();
    }
    this.inbound.abortFrom((from) => this.gate.blocks(from));
  };

  private constructor(components: Libp2pRaftTransportComponents, options: RaftTransportOptions) {
    super();
    this.libp2p = components.libp2p;
    this.gate = components.gate;
    this.localId = this.libp2p.peerId.toString();
    this.opts = { ...TRANSPORT_DEFAULTS, ...options };
    this.log = this.libp2p.logger.forComponent('raftnotes:raft-transport');
    this.inbound = new RaftInbound({
      localId: this.localId,
      maxFrameBytes: this.opts.maxFrameBytes,
      log: this.log,
      onFrame: (from, frame) => this.deliver(from, frame),
      onReject: (from, reason) => {
        this.links.get(from)?.link.countRejectedStream();
        this.safeDispatchEvent('rejected', { detail: { peer: from, reason } });
      },
    });
  }

  /** create registers the raft protocol on a started libp2p node and returns its transport. */
  static async create(components: Libp2pRaftTransportComponents, options: RaftTransportOptions = {}): Promise<Libp2pRaftTransport> {
    const t = new Libp2pRaftTransport(components, options);
    await t.libp2p.handle(RAFT_PROTOCOL, (stream, connection) => t.accept(stream, connection), { maxInboundStreams: 8 });
    t.libp2p.addEventListener('peer:connect', t.onPeerConnect);
    t.gate.addEventListener('change', t.onGateChange);
    return t;
  }

  get isolated(): boolean {
    return this.gate.isolated;
  }

  setHandler(handler: FrameHandler | null): void {
    this.handler = handler;
  }

  send(frames: readonly Frame[]): void {
    for (const frame of frames) {
      if (frame.to === this.localId || this.stopped) continue;
      const state = this.stateFor(frame.to, true);
      if (state === null) continue;
      let bytes: Uint8Array;
      try {
        bytes = encodeFramePrefixed(frame, this.opts.maxFrameBytes);
      } catch (err) {
        this.log.error('dropping a %s frame to %s: %e', frame.type, frame.to, err);
        state.link.countDropped();
        continue;
      }
      state.link.enqueue(bytes);
      if (!state.link.wanted) this.want(state);
    }
  }

  addPeer(id: NodeId, addrs: readonly string[] = []): void {
    if (id === this.localId || this.stopped) return;
    const peerId = peerIdFromString(id);
    if (addrs.length > 0) {
      const multiaddrs = addrs.map((a) => multiaddr(a));
      this.libp2p.peerStore.merge(peerId, { multiaddrs }).catch((err: unknown) => this.log.error('cannot store addresses of %s: %e', id, err));
    }
    const state = this.stateFor(id, false)!;
    if (!state.link.wanted) this.want(state);
  }

  removePeer(id: NodeId): void {
    const state = this.links.get(id);
    if (state === undefined) return;
    state.link.wanted = false;
    state.link.clear();
    state.dialer.abort(new Error('peer removed'));
    this.links.delete(id);
  }

  peers(): NodeId[] {
    return [...this.links.values()].filter((s) => s.link.wanted).map((s) => s.link.peer);
  }

  isReachable(id: NodeId): boolean {
    return this.links.get(id)?.link.reachable ?? false;
  }

  async setIsolated(isolated: boolean): Promise<void> {
    this.gate.set(isolated);
    if (isolated) {
      await Promise.all(this.libp2p.getConnections().map(async (c) => {
        await c.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) }).catch(() => c.abort(new IsolatedError()));
      }));
    }
  }

  async setCut(peers: readonly NodeId[]): Promise<void> {
    this.gate.setCut(peers);
    await Promise.all(this.libp2p.getConnections().filter((c) => this.gate.blocks(c.remotePeer.toString())).map(async (c) => {
      await c.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) }).catch(() => c.abort(new IsolatedError()));
    }));
  }

  setReceivingPaused(paused: boolean): void {
    this.inbound.setPaused(paused);
  }

  stats(): TransportStats {
    return transportStats([...this.links.values()].map((s) => s.link), this.handlerErrors);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.libp2p.removeEventListener('peer:connect', this.onPeerConnect);
    this.gate.removeEventListener('change', this.onGateChange);
    for (const state of this.links.values()) state.link.wanted = false;
    await this.libp2p.unhandle(RAFT_PROTOCOL).catch(() => {});
    await Promise.all([...this.links.values()].map(async (s) => s.dialer.close(CLOSE_TIMEOUT_MS)));
    this.inbound.abortAll(new Error('transport stopped'));
  }

  private stateFor(id: NodeId, lenient: boolean): LinkState | null {
    let state = this.links.get(id);
    if (state !== undefined) return state;
    if (lenient) {
      try {
        peerIdFromString(id);
      } catch {
        this.log.error('dropping a frame to %s, which is not a peer id', id);
        return null;
      }
    }
    const link = new OutboundLink(id, {
      maxQueueBytes: this.opts.maxQueueBytes,
      maxQueueFrames: this.opts.maxQueueFrames,
      maxBatchBytes: this.opts.maxBatchBytes,
      onWriteError: (err) => {
        this.log.error('write to %s failed: %e', id, err);
        dialer.abort(err instanceof Error ? err : new Error(String(err)));
      },
    });
    const dialer = new RaftDialer({
      libp2p: this.libp2p, gate: this.gate, link, log: this.log,
      redialMinMs: this.opts.redialMinMs, redialMaxMs: this.opts.redialMaxMs,
      stopped: () => this.stopped,
      onReachability: (reachable) => this.safeDispatchEvent('reachability', { detail: { peer: id, reachable } }),
      onOtherVersion: (reason) => this.safeDispatchEvent('other-version', { detail: { peer: id, reason } }),
    });
    state = { link, dialer };
    this.links.set(id, state);
    return state;
  }

  private want(state: LinkState): void {
    state.link.wanted = true;
    state.dialer.ensure();
  }

  private accept(stream: Stream, connection: Connection): void {
    const from = connection.remotePeer.toString();
    if (this.stopped || this.gate.blocks(from)) {
      stream.abort(new IsolatedError());
      return;
    }
    this.stateFor(from, false);
    this.inbound.accept(stream, from);
  }

  private deliver(from: NodeId, frame: Frame): void {
    this.links.get(from)?.link.countReceived();
    const handler = this.handler;
    if (handler === null) return;
    try {
      handler(from, frame);
    } catch (err) {
      this.handlerErrors++;
      this.log.error('the frame handler threw on a %s from %s: %e', frame.type, from, err);
    }
  }

  private cutOff(): void {
    for (const state of this.links.values()) state.dialer.abort(new IsolatedError());
    this.inbound.abortAll();
  }
}

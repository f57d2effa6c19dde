// MemoryTransport: a RaftTransport between transports of one MemoryNetwork in
// one process, for the service's tests. It behaves like the libp2p transport
// where tests can see it: frames are encoded, batched and decoded with the same
// codec; each direction is a stream with a bounded window, so a peer that stops
// reading (setReceivingPaused) pushes back and its senders drop; isolation cuts
// links both ways; a peer that stops and starts again with the same id is
// reconnected by its peers. Delivery takes one macrotask (setImmediate).
import { TypedEventEmitter } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import type { NodeId } from '../raft/types.ts';
import { encodeFramePrefixed } from './frame-encode.ts';
import type { Frame } from './frame.ts';
import type { MemoryNetwork } from './memory-network.ts';
import type { MemoryPipe } from './memory-pipe.ts';
import { OutboundLink, transportStats } from './outbound-link.ts';
import { TRANSPORT_DEFAULTS } from './raft-transport.ts';
import type { FrameHandler, RaftTransport, RaftTransportEvents, RaftTransportOptions, TransportStats } from './raft-transport.ts';

interface MemoryLink {
  link: OutboundLink;
  pipe: MemoryPipe | null;
}

/** MemoryTransport is the in-memory RaftTransport. */
export class MemoryTransport extends TypedEventEmitter<RaftTransportEvents> implements RaftTransport {
  readonly localId: NodeId;
  readonly maxFrameBytes: number;
  /** Whether this transport does not read from its peers now. */
  receivingPaused = false;
  private readonly network: MemoryNetwork;
  private readonly opts: Required<RaftTransportOptions>;
  private readonly links = new Map<NodeId, MemoryLink>();
  private readonly inbound = new Set<MemoryPipe>();
  private handler: FrameHandler | null = null;
  private cut = false;
  /** The peers this transport is cut off from (setCut), both ways. */
  private cutPeers: ReadonlySet<NodeId> = new Set();
  private stopped = false;
  private handlerErrors = 0;

  /** Use MemoryNetwork.createTransport. */
  constructor(id: NodeId, network: MemoryNetwork, options: RaftTransportOptions) {
    super();
    this.localId = id;
    this.network = network;
    this.opts = { ...TRANSPORT_DEFAULTS, ...options };
    this.maxFrameBytes = this.opts.maxFrameBytes;
  }

  get isolated(): boolean {
    return this.cut || this.stopped;
  }

  setHandler(handler: FrameHandler | null): void {
    this.handler = handler;
  }

  send(frames: readonly Frame[]): void {
    for (const frame of frames) {
      if (frame.to === this.localId || this.stopped) continue;
      const l = this.linkFor(frame.to);
      let bytes: Uint8Array;
      try {
        bytes = encodeFramePrefixed(frame, this.opts.maxFrameBytes);
      } catch {
        l.link.countDropped();
        continue;
      }
      l.link.enqueue(bytes);
      if (!l.link.wanted) this.want(frame.to, l);
    }
  }

  addPeer(id: NodeId): void {
    if (id === this.localId || this.stopped) return;
    const l = this.linkFor(id);
    if (!l.link.wanted) this.want(id, l);
  }

  removePeer(id: NodeId): void {
    const l = this.links.get(id);
    if (l === undefined) return;
    l.link.wanted = false;
    l.link.clear();
    this.drop(id, l);
    this.links.delete(id);
  }

  peers(): NodeId[] {
    return [...this.links.entries()].filter(([, l]) => l.link.wanted).map(([id]) => id);
  }

  isReachable(id: NodeId): boolean {
    return this.links.get(id)?.link.reachable ?? false;
  }

  async setIsolated(isolated: boolean): Promise<void> {
    if (this.cut === isolated || this.stopped) return;
    this.cut = isolated;
    if (isolated) {
      this.network.each((t) => t.dropLinksTo(this.localId));
      this.dropAll();
    } else {
      this.network.announce(this);
    }
  }

  /** blocks tells whether this transport may not talk to `peer` now. */
  blocks(peer: NodeId): boolean {
    return this.isolated || this.cutPeers.has(peer);
  }

  async setCut(peers: readonly NodeId[]): Promise<void> {
    if (this.stopped) return;
    const healed = [...this.cutPeers].filter((p) => !peers.includes(p));
    this.cutPeers = new Set(peers);
    for (const peer of peers) {
      this.dropLinksTo(peer);
      this.network.each((t) => { if (t.localId === peer) t.dropLinksTo(this.localId); });
    }
    for (const peer of healed) {
      this.reconnect(peer);
      this.network.each((t) => { if (t.localId === peer) t.reconnect(this.localId); });
    }
  }

  setReceivingPaused(paused: boolean): void {
    this.receivingPaused = paused;
    if (!paused) for (const p of this.inbound) p.schedule();
  }

  stats(): TransportStats {
    return transportStats([...this.links.values()].map((l) => l.link), this.handlerErrors);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.network.each((t) => t.dropLinksTo(this.localId));
    this.dropAll();
    this.stopped = true;
    this.network.remove(this);
  }

  /** reconnect opens streams to `peer` (or to every wanted peer, when null) that are wanted and closed. */
  reconnect(peer: NodeId | null): void {
    if (this.isolated) return;
    for (const [id, l] of this.links) {
      if ((peer === null || id === peer) && l.link.wanted && l.pipe === null) this.connect(id, l);
    }
  }

  /** dropLinksTo closes this transport's stream to `peer` and any stream from it. */
  dropLinksTo(peer: NodeId): void {
    const l = this.links.get(peer);
    if (l !== undefined) this.drop(peer, l);
    for (const p of this.inbound) {
      if (p.from.localId === peer) {
        p.close();
        this.inbound.delete(p);
      }
    }
  }

  /** accept registers a stream another transport opened to this one. */
  accept(pipe: MemoryPipe): void {
    this.inbound.add(pipe);
  }

  /** receive takes data that arrived on an inbound stream. */
  receive(pipe: MemoryPipe, data: Uint8ArrayList): void {
    const from = pipe.from.localId;
    const l = this.linkFor(from);
    try {
      pipe.reader.push(data, (frame) => {
        l.link.countReceived();
        if (this.handler === null) return;
        try {
          this.handler(from, frame);
        } catch {
          this.handlerErrors++;
        }
      });
    } catch (err) {
      l.link.countRejectedStream();
      this.safeDispatchEvent('rejected', { detail: { peer: from, reason: (err as Error).message } });
      const sender = pipe.from;
      sender.dropLinksTo(this.localId);
      setTimeout(() => sender.reconnect(this.localId), this.opts.redialMinMs);
    }
  }

  private linkFor(id: NodeId): MemoryLink {
    let l = this.links.get(id);
    if (l === undefined) {
      const link = new OutboundLink(id, {
        maxQueueBytes: this.opts.maxQueueBytes,
        maxQueueFrames: this.opts.maxQueueFrames,
        maxBatchBytes: this.opts.maxBatchBytes,
        onWriteError: () => this.drop(id, l!),
      });
      l = { link, pipe: null };
      this.links.set(id, l);
    }
    return l;
  }

  private want(id: NodeId, l: MemoryLink): void {
    l.link.wanted = true;
    if (l.pipe === null) this.connect(id, l);
  }

  private connect(id: NodeId, l: MemoryLink): void {
    const pipe = this.network.open(this, id);
    if (pipe === null) return;
    l.pipe = pipe;
    l.link.attach(pipe);
    this.safeDispatchEvent('reachability', { detail: { peer: id, reachable: true } });
  }

  private drop(id: NodeId, l: MemoryLink): void {
    if (l.pipe === null) return;
    l.pipe.close();
    l.pipe = null;
    l.link.detach();
    this.safeDispatchEvent('reachability', { detail: { peer: id, reachable: false } });
  }

  private dropAll(): void {
    for (const [id, l] of this.links) this.drop(id, l);
    for (const p of this.inbound) p.close();
    this.inbound.clear();
  }
}

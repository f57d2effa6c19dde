// OutboundLink: everything one transport keeps per remote peer — the bounded
// queue, the writer of the current outbound stream, the drain wait and the
// counters. It batches: frames queued in one turn of the event loop go out in
// one write. Shared by the libp2p and the in-memory transport.
import { Uint8ArrayList } from 'uint8arraylist';
import type { NodeId } from '../raft/types.ts';
import { OutboundQueue } from './outbound-queue.ts';
import type { PeerLinkStats, TransportStats } from './raft-transport.ts';

/** LinkWriter is the write side of one open outbound stream. */
export interface LinkWriter {
  /** write hands a batch to the stream; false means wait for drain before writing again. May throw when the stream closed. */
  write(batch: Uint8ArrayList): boolean;
  /** onceDrain calls `cb` once, when the stream can take more (the 'drain' event, never onDrain(): docs/architecture.md, "Stream facts"). */
  onceDrain(cb: () => void): void;
  /** buffered is the number of bytes written but still held by the stream. */
  buffered(): number;
}

/** OutboundLinkInit configures an OutboundLink. */
export interface OutboundLinkInit {
  maxQueueBytes: number;
  maxQueueFrames: number;
  maxBatchBytes: number;
  /** Called when a write throws: the stream is broken and should be closed. */
  onWriteError(err: unknown): void;
}

/** OutboundLink queues frames for one peer and writes them in batches while a stream is attached. */
export class OutboundLink {
  readonly peer: NodeId;
  /** Whether the transport keeps a stream to this peer (redialing when it closes). */
  wanted = false;
  private readonly init: OutboundLinkInit;
  private readonly queue: OutboundQueue;
  private writer: LinkWriter | null = null;
  // Invariant: waitingDrain implies writer !== null.
  private waitingDrain = false;
  private flushScheduled = false;
  private readonly counters = {
    sentFrames: 0, sentBytes: 0, writes: 0, droppedFrames: 0, receivedFrames: 0, rejectedStreams: 0,
  };

  constructor(peer: NodeId, init: OutboundLinkInit) {
    this.peer = peer;
    this.init = init;
    this.queue = new OutboundQueue({ maxBytes: init.maxQueueBytes, maxFrames: init.maxQueueFrames });
  }

  /** reachable tells whether a stream is attached. */
  get reachable(): boolean {
    return this.writer !== null;
  }

  /** enqueue queues one encoded frame (dropping it when the queue is full) and schedules a flush. */
  enqueue(frame: Uint8Array): void {
    if (!this.queue.push(frame)) {
      this.counters.droppedFrames++;
      return;
    }
    if (this.writer !== null && !this.waitingDrain && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** countDropped adds frames lost elsewhere (too large to encode, lost with a stream). */
  countDropped(n = 1): void {
    this.counters.droppedFrames += n;
  }

  /** countReceived adds one valid frame received from the peer. */
  countReceived(): void {
    this.counters.receivedFrames++;
  }

  /** countRejectedStream adds one stream from the peer closed for a malformed frame. */
  countRejectedStream(): void {
    this.counters.rejectedStreams++;
  }

  /** attach sets the writer of a newly opened stream and sends what is queued. */
  attach(writer: LinkWriter): void {
    this.writer = writer;
    this.waitingDrain = false;
    this.flush();
  }

  /** detach forgets the writer of a closed stream; queued frames wait for the next one. */
  detach(): void {
    this.writer = null;
    this.waitingDrain = false;
  }

  /** clear drops every queued frame. */
  clear(): void {
    this.counters.droppedFrames += this.queue.clear();
  }

  /** flush writes queued frames in batches until the queue is empty or the stream asks to wait for drain. */
  flush(): void {
    while (this.writer !== null && !this.waitingDrain && this.queue.length > 0) {
      const writer = this.writer;
      const batch = this.queue.take(this.init.maxBatchBytes);
      const list = new Uint8ArrayList(...batch);
      let more: boolean;
      try {
        more = writer.write(list);
      } catch (err) {
        this.counters.droppedFrames += batch.length;
        this.detach();
        this.init.onWriteError(err);
        return;
      }
      this.counters.writes++;
      this.counters.sentFrames += batch.length;
      this.counters.sentBytes += list.byteLength;
      if (!more) {
        this.waitingDrain = true;
        writer.onceDrain(() => {
          if (this.writer !== writer) return;
          this.waitingDrain = false;
          this.flush();
        });
      }
    }
  }

  /** stats returns this link's counters. */
  stats(): PeerLinkStats {
    return {
      reachable: this.reachable,
      queuedFrames: this.queue.length,
      queuedBytes: this.queue.byteLength,
      unsentBytes: this.writer?.buffered() ?? 0,
      ...this.counters,
    };
  }
}

const SUMMED = [
  'queuedFrames', 'queuedBytes', 'unsentBytes', 'sentFrames', 'sentBytes', 'writes', 'droppedFrames', 'receivedFrames', 'rejectedStreams',
] as const;

/** transportStats gathers the stats of every link and their sums. */
export function transportStats(links: Iterable<OutboundLink>, handlerErrors: number): TransportStats {
  const peers: TransportStats['peers'] = {};
  const sum: TransportStats = {
    queuedFrames: 0, queuedBytes: 0, unsentBytes: 0, sentFrames: 0, sentBytes: 0, writes: 0, droppedFrames: 0,
    receivedFrames: 0, rejectedStreams: 0, handlerErrors, peers,
  };
  for (const link of links) {
    const s = link.stats();
    peers[link.peer] = s;
    for (const k of SUMMED) sum[k] += s[k];
  }
  return sum;
}

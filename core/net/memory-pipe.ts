// MemoryPipe: one open stream between two MemoryTransports, with a bounded
// window like a muxer's: write() returns false once `window` bytes are in
// flight, and the writer's drain callbacks run when the receiver has read them.
// Delivery takes one macrotask (setImmediate); a paused receiver reads nothing.
import { Uint8ArrayList } from 'uint8arraylist';
import { FrameReader } from './frame-stream.ts';
import type { MemoryTransport } from './memory-transport.ts';

/** MemoryPipe is one open stream from one transport to another. */
export class MemoryPipe {
  readonly from: MemoryTransport;
  readonly to: MemoryTransport;
  readonly reader: FrameReader;
  private readonly window: number;
  private readonly chunks = new Uint8ArrayList();
  private drainWaiters: Array<() => void> = [];
  private scheduled = false;
  closed = false;

  constructor(from: MemoryTransport, to: MemoryTransport, window: number, maxFrameBytes: number) {
    this.from = from;
    this.to = to;
    this.window = window;
    this.reader = new FrameReader({ address: { from: from.localId, to: to.localId }, maxFrameBytes });
  }

  write(batch: Uint8ArrayList): boolean {
    if (this.closed) throw new Error('stream closed');
    this.chunks.append(batch);
    this.schedule();
    return this.chunks.byteLength < this.window;
  }

  onceDrain(cb: () => void): void {
    this.drainWaiters.push(cb);
  }

  buffered(): number {
    // Bytes in the window are "on the wire"; a memory stream never holds more.
    return 0;
  }

  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.closed || this.to.receivingPaused || this.chunks.byteLength === 0) return;
      const data = this.chunks.sublist();
      this.chunks.consume(data.byteLength);
      this.to.receive(this, data);
      if (!this.closed && this.chunks.byteLength < this.window) {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const w of waiters) w();
      }
    });
  }

  close(): void {
    this.closed = true;
    this.drainWaiters = [];
    this.chunks.consume(this.chunks.byteLength);
  }
}


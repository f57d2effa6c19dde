// OutboundQueue: the bounded queue of encoded frames waiting for one peer's
// stream. When it is full a new frame is dropped (tail drop) and counted,
// rather than the queue growing: Raft retries what is lost, and a frame
// already waiting (maybe a large snapshot) is never evicted by later ones.

/** OutboundQueueInit bounds an OutboundQueue. */
export interface OutboundQueueInit {
  maxBytes: number;
  maxFrames: number;
}

/** OutboundQueue holds encoded frames (with their length prefixes) in order. */
export class OutboundQueue {
  private readonly maxBytes: number;
  private readonly maxFrames: number;
  private items: Uint8Array[] = [];
  // Invariant: head <= items.length; the queue is items[head..].
  private head = 0;
  // Invariant: bytes is the sum of byteLength over items[head..].
  private bytes = 0;

  constructor(init: OutboundQueueInit) {
    this.maxBytes = init.maxBytes;
    this.maxFrames = init.maxFrames;
  }

  /** length is the number of frames queued. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** byteLength is the number of bytes queued. */
  get byteLength(): number {
    return this.bytes;
  }

  /**
   * push queues a frame and returns true, or returns false (dropping it) when
   * the queue is full. A frame larger than maxBytes is taken only into an empty queue.
   */
  push(frame: Uint8Array): boolean {
    if (this.length >= this.maxFrames) return false;
    if (this.bytes > 0 && this.bytes + frame.byteLength > this.maxBytes) return false;
    this.items.push(frame);
    this.bytes += frame.byteLength;
    return true;
  }

  /** take removes and returns frames from the front, about `maxBytes` of them and at least one when any is queued. */
  take(maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let size = 0;
    while (this.head < this.items.length) {
      const next = this.items[this.head]!;
      if (out.length > 0 && size + next.byteLength > maxBytes) break;
      out.push(next);
      size += next.byteLength;
      this.head++;
    }
    this.bytes -= size;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** clear empties the queue and returns how many frames it dropped. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return n;
  }
}

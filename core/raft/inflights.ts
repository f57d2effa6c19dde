// Inflights bounds the AppendEntries a leader has sent to one follower and not
// yet seen acknowledged: a ring of the last entry index each message carried.

/** Inflights is a bounded FIFO of the last indexes of unacknowledged AppendEntries. */
export class Inflights {
  private readonly buffer: Float64Array;
  private start = 0;
  /** Invariant: 0 <= count <= capacity. */
  private count = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.buffer = new Float64Array(capacity);
  }

  /** full says whether no more messages may be sent until some are acknowledged. */
  full(): boolean {
    return this.count === this.capacity;
  }

  /** size is the number of messages in flight. */
  size(): number {
    return this.count;
  }

  /** add records a message whose last entry is `lastIndex`; indexes must grow. */
  add(lastIndex: number): void {
    if (this.count === this.capacity) throw new RangeError('inflights: window is full');
    this.buffer[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** freeTo forgets every message whose last index is <= `index` (acknowledged). */
  freeTo(index: number): void {
    while (this.count > 0 && this.buffer[this.start]! <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  /** freeFirst forgets the oldest message, whose answer may have been lost. */
  freeFirst(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  /** reset forgets every message. */
  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

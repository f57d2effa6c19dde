// RecentChanges is the document's bounded memory of which note each recent
// entry changed, for NotesDocument.changesSince: pairs (entry index, note
// seq) in two typed arrays. As an array of [index, id] pairs, its 20,000
// changes were about 2 MiB of live JavaScript heap (an array, its elements and
// an id string each), which a busy peer's heap multiplies; here they are
// 320 KiB off the heap, and a note's id is derived from its seq.

/** MAX_CHANGES is how many recent changes the document remembers for changesSince. */
export const MAX_CHANGES = 20_000;

/** RecentChanges remembers the last changes, in index order; past MAX_CHANGES it forgets the oldest half. */
export class RecentChanges {
  private readonly indexes = new Float64Array(MAX_CHANGES + 1);
  private readonly seqs = new Float64Array(MAX_CHANGES + 1);
  /** Invariant: indexes[0..count) is ascending. */
  private count = 0;
  /** Every change after this index is remembered. */
  floor: number;

  constructor(floor: number) {
    this.floor = floor;
  }

  /** add remembers that the entry at `index` (above every index added before) changed note `seq`. */
  add(index: number, seq: number): void {
    this.indexes[this.count] = index;
    this.seqs[this.count] = seq;
    this.count++;
    if (this.count > MAX_CHANGES) {
      const drop = this.count - MAX_CHANGES / 2;
      this.floor = this.indexes[drop - 1]!;
      this.indexes.copyWithin(0, drop, this.count);
      this.seqs.copyWithin(0, drop, this.count);
      this.count -= drop;
    }
  }

  /** seqsAfter is the seqs of the notes changed after entry `index`, each once, in the order of their first change. */
  seqsAfter(index: number): number[] {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.indexes[mid]! <= index) lo = mid + 1;
      else hi = mid;
    }
    return [...new Set(this.seqs.subarray(lo, this.count))];
  }
}

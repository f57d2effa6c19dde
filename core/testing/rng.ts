// A seeded pseudo-random generator (mulberry32). It is the only source of
// randomness in the simulation, so one seed replays a run exactly.

/** Rng is a deterministic stream of numbers in [0, 1) drawn from a 32-bit seed. */
export class Rng {
  /** The seed this stream started from. */
  readonly seed: number;
  #state: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** float returns the next number in [0, 1); it is an arrow so it can be handed to RaftOptions.random. */
  float = (): number => {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** int returns an integer in [lo, hi). */
  int(lo: number, hi: number): number {
    if (hi <= lo) return lo;
    return lo + Math.floor(this.float() * (hi - lo));
  }

  /** chance is true with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** pick returns one of `items` (which must not be empty). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: no items');
    return items[this.int(0, items.length)]!;
  }

  /** shuffle permutes `items` in place and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** fork derives an independent stream from this seed and a label, without drawing from this one. */
  fork(label: string): Rng {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < label.length; i++) {
      h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return new Rng((h ^ (h >>> 16)) >>> 0);
  }
}

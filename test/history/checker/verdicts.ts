// Verdicts: one per property the checker proves of a history, each with the
// violations it found (counted, the first few described).

/** VERDICTS names every property, in the order a report lists them. */
export const VERDICTS = {
  lost: 'every acknowledged write (and every 202 add) is in the end state, unless a delete removed it',
  misplaced: 'every acknowledged add is at the place (log index) it was acknowledged with',
  duplicated: 'no add appears under two notes (a 202 or indeterminate one at most once)',
  phantom: 'nothing appears that no client wrote, or that was refused',
  reordered: 'an add (an edit of one note) acknowledged before another was invoked precedes it',
  'cas-chain': 'each note\'s versions form one chain: one text per version, each edit on the version it named, nothing after a delete',
  'read-lost': 'what any read saw committed survives in place (or was deleted)',
  'leaders-per-term': 'at most one leader per term',
  'term-went-back': 'no process\'s term ever goes back',
  'commit-went-back': 'no process\'s commit index ever goes back',
  divergent: 'after the heal every member holds the same notes and log, with nothing pending',
  'unexpected-exit': 'no peer exited unless the runner killed or stopped it',
} as const;

export type VerdictName = keyof typeof VERDICTS;

/** Verdict is one property and the violations found of it. */
export interface Verdict {
  name: VerdictName;
  /** What holds when it passes. */
  claim: string;
  ok: boolean;
  /** How many violations. */
  count: number;
  /** The first violations, described. */
  examples: string[];
}

/** EXAMPLES_KEPT is how many violations a verdict describes. */
const EXAMPLES_KEPT = 10;

/** Findings collects violations by verdict. */
export class Findings {
  private readonly found = new Map<VerdictName, { count: number; examples: string[] }>();

  /** add records one violation of `name`. */
  add(name: VerdictName, description: string): void {
    const f = this.found.get(name) ?? { count: 0, examples: [] };
    f.count++;
    if (f.examples.length < EXAMPLES_KEPT) f.examples.push(description);
    this.found.set(name, f);
  }

  /** verdicts lists every property, passed or not. */
  verdicts(): Verdict[] {
    return (Object.keys(VERDICTS) as VerdictName[]).map((name) => {
      const f = this.found.get(name);
      return { name, claim: VERDICTS[name], ok: f === undefined, count: f?.count ?? 0, examples: f?.examples ?? [] };
    });
  }
}

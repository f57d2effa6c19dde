// storageCompliance is the one suite every RaftStorage implementation passes
// (the js-libp2p way: one interface, one suite, every implementation).

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry, HardState, Snapshot } from '../../raft/types.ts';
import type { RaftStorage, StorageBatch, StorageState } from '../storage.ts';

/** StorageHarness makes storages for the suite and restarts them. */
export interface StorageHarness {
  /** open returns a new, empty storage. */
  open(): Promise<RaftStorage>;
  /** reopen closes `storage` (if it is open) and returns a storage read back from what it persisted. */
  reopen(storage: RaftStorage): Promise<RaftStorage>;
  /** cleanup closes every storage it made and removes their files; it runs after every test, also after a failure, and may run twice. */
  cleanup(): Promise<void>;
}

/** entry returns a command entry whose data names its index and term. */
export function entry(index: number, term: number, data = `e${index}t${term}`): Entry {
  return { index, term, kind: 'command', data: new TextEncoder().encode(data) };
}

/** entries returns command entries from `first` to `last` of one term. */
export function entries(first: number, last: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = first; i <= last; i++) out.push(entry(i, term));
  return out;
}

/** batch fills the fields a test leaves out. */
export function batch(b: Partial<StorageBatch>): StorageBatch {
  return { hardState: b.hardState ?? null, snapshot: b.snapshot ?? null, entries: b.entries ?? [] };
}

/** snapshot returns a snapshot of `index` and `term` holding `bytes` bytes of data. */
export function snapshot(index: number, term: number, bytes = 100): Snapshot {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + index) & 0xff;
  return { index, term, membership: { voters: ['a', 'b', 'c'], learners: ['d'] }, data };
}

/** plain turns a StorageState into plain data, so two implementations' answers compare with toEqual. */
export function plain(s: StorageState): unknown {
  const e = (x: Entry) => ({ index: x.index, term: x.term, kind: x.kind, data: Buffer.from(x.data).toString('hex') });
  return {
    hardState: s.hardState,
    entries: s.entries.map(e),
    snapshot:
      s.snapshot === undefined
        ? null
        : { ...s.snapshot, data: Buffer.from(s.snapshot.data).toString('hex') },
  };
}

/** storageCompliance declares the suite for one implementation. */
export function storageCompliance(name: string, makeHarness: () => StorageHarness): void {
  describe(`RaftStorage compliance (${name})`, () => {
    let h: StorageHarness;
    let s: RaftStorage;
    const open = async () => {
      h = makeHarness();
      s = await h.open();
      return s;
    };
    const reopen = async () => {
      s = await h.reopen(s);
      return s;
    };
    afterEach(async () => {
      await h.cleanup();
    });

    it('loads an empty state when new', async () => {
      await open();
      expect(plain(await s.load())).toEqual({
        hardState: { term: 0, votedFor: null, commitIndex: 0 },
        entries: [],
        snapshot: null,
      });
    });

    it('appends entries and keeps them and the hard state across a reopen', async () => {
      await open();
      const hs: HardState = { term: 2, votedFor: 'b', commitIndex: 3 };
      await s.save(batch({ hardState: hs, entries: entries(1, 3, 1) }));
      await s.save(batch({ entries: entries(4, 6, 2) }));
      const want = { hardState: hs, entries: [...entries(1, 3, 1), ...entries(4, 6, 2)] };
      expect(plain(await s.load())).toEqual(plain(want));
      await reopen();
      expect(plain(await s.load())).toEqual(plain(want));
    });

    it('leaves the hard state unchanged when a batch has none', async () => {
      await open();
      await s.save(batch({ hardState: { term: 5, votedFor: null, commitIndex: 0 } }));
      await s.save(batch({ entries: entries(1, 1, 5) }));
      await reopen();
      expect((await s.load()).hardState).toEqual({ term: 5, votedFor: null, commitIndex: 0 });
    });

    it('replaces an entry at an existing index and everything after it', async () => {
      await open();
      await s.save(batch({ entries: entries(1, 10, 1) }));
      await s.save(batch({ entries: entries(6, 7, 2) }));
      const want = [...entries(1, 5, 1), ...entries(6, 7, 2)];
      expect(plain(await s.load())).toEqual(plain({ hardState: empty(), entries: want }));
      await reopen();
      expect(plain(await s.load())).toEqual(plain({ hardState: empty(), entries: want }));
      await s.save(batch({ entries: entries(1, 1, 3) }));
      await reopen();
      expect(plain(await s.load())).toEqual(plain({ hardState: empty(), entries: entries(1, 1, 3) }));
    });

    it('drops the entries a matching snapshot covers and keeps the rest', async () => {
      await open();
      await s.save(batch({ entries: entries(1, 10, 1), hardState: { term: 1, votedFor: 'a', commitIndex: 8 } }));
      const snap = snapshot(7, 1, 5000);
      await s.save(batch({ snapshot: snap }));
      const want = { hardState: { term: 1, votedFor: 'a', commitIndex: 8 }, entries: entries(8, 10, 1), snapshot: snap };
      expect(plain(await s.load())).toEqual(plain(want));
      await reopen();
      expect(plain(await s.load())).toEqual(plain(want));
    });

    it('drops the whole log for a snapshot whose last entry it does not hold', async () => {
      await open();
      await s.save(batch({ entries: entries(1, 10, 1) }));
      const other = snapshot(7, 2);
      await s.save(batch({ snapshot: other, hardState: { term: 2, votedFor: null, commitIndex: 7 } }));
      const want = { hardState: { term: 2, votedFor: null, commitIndex: 7 }, entries: [], snapshot: other };
      expect(plain(await s.load())).toEqual(plain(want));
      await reopen();
      expect(plain(await s.load())).toEqual(plain(want));
      const beyond = snapshot(20, 2);
      await s.save(batch({ snapshot: beyond, hardState: { term: 2, votedFor: null, commitIndex: 20 } }));
      await reopen();
      expect(plain(await s.load())).toEqual(plain({ ...want, hardState: { ...want.hardState, commitIndex: 20 }, snapshot: beyond }));
    });

    it('applies a snapshot before the entries of the same batch', async () => {
      await open();
      await s.save(batch({ entries: entries(1, 4, 1) }));
      const snap = snapshot(10, 3);
      await s.save(batch({ snapshot: snap, entries: entries(11, 12, 3) }));
      await reopen();
      expect(plain(await s.load())).toEqual(plain({ hardState: empty(), entries: entries(11, 12, 3), snapshot: snap }));
    });

    it('keeps only the newest snapshot, with its membership and data', async () => {
      await open();
      await s.save(batch({ entries: entries(1, 30, 1) }));
      await s.save(batch({ snapshot: snapshot(10, 1, 3000) }));
      const newest = snapshot(20, 1, 70_000);
      await s.save(batch({ snapshot: newest }));
      await reopen();
      const loaded = await s.load();
      expect(plain(loaded)).toEqual(plain({ hardState: empty(), entries: entries(21, 30, 1), snapshot: newest }));
      expect(loaded.snapshot?.membership).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] });
    });

    it('round-trips entry kinds, empty and large data, and a non-ASCII vote', async () => {
      await open();
      const big = new Uint8Array(300_000).map((_, i) => i % 251);
      const es: Entry[] = [
        { index: 1, term: 1, kind: 'noop', data: new Uint8Array(0) },
        { index: 2, term: 1, kind: 'config', data: new TextEncoder().encode('{"voters":["a"]}') },
        { index: 3, term: 2 ** 40, kind: 'command', data: big },
      ];
      const hs = { term: 2 ** 40, votedFor: '12D3KooW-ünïcødé-🗒', commitIndex: 2 };
      await s.save(batch({ entries: es, hardState: hs }));
      await reopen();
      expect(plain(await s.load())).toEqual(plain({ hardState: hs, entries: es }));
    });

    it('rejects a batch that breaks the log and changes nothing', async () => {
      await open();
      await s.save(batch({ entries: entries(1, 5, 1), hardState: { term: 1, votedFor: null, commitIndex: 2 } }));
      await s.save(batch({ snapshot: snapshot(2, 1) }));
      const before = plain(await s.load());
      await expect(s.save(batch({ entries: entries(7, 8, 1) }))).rejects.toThrow(/gap after the last index 5/);
      await expect(s.save(batch({ entries: [entry(6, 1), entry(8, 1)] }))).rejects.toThrow(/not contiguous/);
      await expect(s.save(batch({ entries: entries(2, 3, 2) }))).rejects.toThrow(/at or below the snapshot/);
      await expect(s.save(batch({ snapshot: snapshot(1, 1) }))).rejects.toThrow(/older than the snapshot/);
      await expect(s.save(batch({ hardState: { term: 1, votedFor: null, commitIndex: 6 } }))).rejects.toThrow(
        /commit index 6 is beyond the last index 5/,
      );
      expect(plain(await s.load())).toEqual(before);
      await s.save(batch({ entries: entries(6, 6, 1) })); // still usable
      await reopen();
      expect((await s.load()).entries.map((e) => e.index)).toEqual([3, 4, 5, 6]);
    });

    it('applies saves in call order when they are not awaited one by one', async () => {
      await open();
      const saves: Promise<void>[] = [];
      for (let i = 1; i <= 20; i++) saves.push(s.save(batch({ entries: entries(i, i, 1), hardState: { term: 1, votedFor: null, commitIndex: i - 1 } })));
      await Promise.all(saves);
      await reopen();
      expect(plain(await s.load())).toEqual(plain({ hardState: { term: 1, votedFor: null, commitIndex: 19 }, entries: entries(1, 20, 1) }));
    });

    it('finishes the saves called before close, and refuses those after', async () => {
      await open();
      const before = s.save(batch({ entries: entries(1, 3, 1) }));
      const closing = s.close();
      const after = s.save(batch({ entries: entries(4, 4, 1) }));
      await expect(before).resolves.toBeUndefined();
      await expect(after).rejects.toThrow(/closed/);
      await closing;
      s = await h.reopen(s);
      expect((await s.load()).entries.map((e) => e.index)).toEqual([1, 2, 3]);
    });

    it('refuses to be used after close', async () => {
      await open();
      await s.close();
      await expect(s.save(batch({ entries: entries(1, 1, 1) }))).rejects.toThrow(/closed/);
      await expect(s.load()).rejects.toThrow(/closed/);
    });

    it('agrees with a plain model over random batches and reopens', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 25 }), async (steps) => {
          await open();
          try {
            const model = new PlainModel();
            for (const step of steps) {
              if (step.kind === 'reopen') {
                await reopen();
              } else {
                const b = model.batchFor(step);
                model.apply(b);
                await s.save(b);
              }
              expect(plain(await s.load())).toEqual(plain(model.state()));
            }
          } finally {
            await h.cleanup();
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}

function empty(): HardState {
  return { term: 0, votedFor: null, commitIndex: 0 };
}

type Step =
  | { kind: 'reopen' }
  | { kind: 'append'; count: number; bytes: number }
  | { kind: 'overwrite'; back: number; count: number }
  | { kind: 'snapshot'; back: number; matching: boolean; ahead: number }
  | { kind: 'vote'; voter: string | null };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'reopen' }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 40 }), bytes: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('overwrite' as const), back: fc.integer({ min: 0, max: 8 }), count: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), back: fc.integer({ min: 0, max: 8 }), matching: fc.boolean(), ahead: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('vote' as const), voter: fc.option(fc.string({ maxLength: 8 })) }) },
);

/** PlainModel is the storage rules written as plainly as possible, apart from LogState. */
class PlainModel {
  hardState: HardState = empty();
  snap: Snapshot | null = null;
  log: Entry[] = []; // log[i] has index snapIndex + 1 + i

  private get snapIndex(): number {
    return this.snap?.index ?? 0;
  }

  private get last(): number {
    return this.snapIndex + this.log.length;
  }

  batchFor(step: Exclude<Step, { kind: 'reopen' }>): StorageBatch {
    const term = this.hardState.term;
    switch (step.kind) {
      case 'append': {
        const es: Entry[] = [];
        for (let i = 1; i <= step.count; i++) {
          es.push({ index: this.last + i, term: Math.max(term, 1), kind: 'command', data: new Uint8Array(step.bytes).fill(i) });
        }
        const hs = { term: Math.max(term, 1), votedFor: this.hardState.votedFor, commitIndex: this.last + (step.count >> 1) };
        return batch({ entries: es, hardState: hs });
      }
      case 'overwrite': {
        const first = Math.max(this.hardState.commitIndex, this.snapIndex, this.last - step.back) + 1;
        const es: Entry[] = [];
        for (let i = 0; i < step.count; i++) es.push(entry(first + i, term + 1, `o${first + i}`));
        return batch({ entries: es, hardState: { term: term + 1, votedFor: null, commitIndex: this.hardState.commitIndex } });
      }
      case 'snapshot': {
        if (step.matching && this.last > this.snapIndex) {
          const index = Math.max(this.snapIndex + 1, this.last - step.back);
          const t = this.log[index - this.snapIndex - 1].term;
          return batch({ snapshot: snapshot(index, t, 500 + step.back * 100) });
        }
        const index = this.last + step.ahead;
        if (index <= this.snapIndex) return batch({});
        return batch({
          snapshot: snapshot(index, term + 1),
          hardState: { term: term + 1, votedFor: null, commitIndex: Math.max(this.hardState.commitIndex, index) },
        });
      }
      case 'vote':
        return batch({ hardState: { ...this.hardState, votedFor: step.voter } });
    }
  }

  apply(b: StorageBatch): void {
    if (b.snapshot !== null) {
      const s = b.snapshot;
      const held = this.log.find((e) => e.index === s.index);
      const matches = (held !== undefined && held.term === s.term) || (this.snap !== null && this.snap.index === s.index && this.snap.term === s.term);
      this.log = matches ? this.log.filter((e) => e.index > s.index) : [];
      this.snap = s;
    }
    if (b.entries.length > 0) {
      this.log = this.log.filter((e) => e.index < b.entries[0].index).concat(b.entries);
    }
    if (b.hardState !== null) this.hardState = { ...b.hardState };
  }

  state(): StorageState {
    const st: StorageState = { hardState: this.hardState, entries: this.log };
    if (this.snap !== null) st.snapshot = this.snap;
    return st;
  }
}

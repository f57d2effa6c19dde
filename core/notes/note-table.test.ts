import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NoteTable, noteId, PART_SEQS, type Note } from './note-table.ts';

const note = (seq: number, text = `t${seq}`, version = 1): Note => ({
  id: noteId(seq), seq, number: seq * 2, text, author: `a${seq % 3}`, createdAt: 1_764_500_000_000 + seq, updatedAt: 1_764_500_000_000 + seq * 7, version,
});

describe('NoteTable', () => {
  it('keeps notes in log order and finds them by seq', () => {
    const t = new NoteTable();
    for (const seq of [2, 5, 9]) t.append(note(seq));
    expect(t.list()).toEqual([note(2), note(5), note(9)]);
    expect(t.get(5)).toEqual(note(5));
    expect(t.get(4)).toBeUndefined();
    expect(() => t.append(note(9))).toThrow(/does not follow note 9/);
  });

  it('keeps a text exactly, a lone surrogate too', () => {
    const t = new NoteTable();
    t.append(note(1, 'caf\u00e9 \u{1f600}'));
    t.append(note(2, 'lone \ud800 surrogate'));
    t.replace(note(2, 'x\udc00', 2));
    expect(t.get(1)!.text).toBe('caf\u00e9 \u{1f600}');
    expect(t.get(2)!.text).toBe('x\udc00');
  });

  it('keeps texts right across compactions of its text arena, and a frozen copy keeps the texts it had', () => {
    const t = new NoteTable();
    for (let seq = 1; seq <= 20; seq++) t.append(note(seq)); // 11 to 20 are never edited: compactions move them
    const big = (seq: number, round: number) => `${seq}/${round} `.padEnd(10_000, String.fromCharCode(97 + (round % 26)));
    let frozen = t.frozen();
    for (let round = 1; round <= 60; round++) {
      // 10 texts of 10 kB a round: the garbage passes 1 MiB and half the arena several times.
      for (let seq = 1; seq <= 10; seq++) t.replace(note(seq, big(seq, round), round + 1));
      if (round === 30) frozen = t.frozen();
    }
    t.delete(3);
    expect(t.list()).toEqual([...[1, 2, 4, 5, 6, 7, 8, 9, 10].map((seq) => note(seq, big(seq, 60), 61)), ...[...Array(10).keys()].map((i) => note(11 + i))]);
    expect([...Array(10).keys()].map((r) => frozen.at(r)!.text)).toEqual([...Array(10).keys()].map((r) => big(r + 1, 30)));
  });

  it('hands out copies: changing a note it returned changes nothing in the table', () => {
    const t = new NoteTable();
    t.append(note(1));
    t.get(1)!.text = 'changed';
    expect(t.get(1)!.text).toBe('t1');
  });

  it('groups a frozen copy in parts by seq, whose stamps change with their notes and only then', () => {
    const t = new NoteTable();
    for (const seq of [1, 2, PART_SEQS - 1, 3 * PART_SEQS + 5]) t.append(note(seq));
    const before = t.frozen();
    expect(before.parts).toBe(4);
    expect([0, 1, 2, 3].map((k) => before.notesIn(k).map((n) => n.seq))).toEqual([[1, 2, PART_SEQS - 1], [], [], [3 * PART_SEQS + 5]]);
    expect(before.stamp(1)).toBe(0); // never had a note
    const stamps = (frozen: ReturnType<NoteTable['frozen']>) => [0, 1, 2, 3].map((k) => frozen.stamp(k));
    expect(stamps(t.frozen())).toEqual(stamps(before));
    t.replace(note(2, 'edited', 2));
    const edited = t.frozen();
    expect(edited.stamp(0)).not.toBe(before.stamp(0));
    expect(stamps(edited).slice(1)).toEqual(stamps(before).slice(1));
    t.delete(3 * PART_SEQS + 5);
    t.append(note(3 * PART_SEQS + 7));
    expect(t.frozen().stamp(3)).not.toBe(edited.stamp(3));
    expect(t.frozen().notesIn(3)).toEqual([note(3 * PART_SEQS + 7)]);
    expect(before.notesIn(0)).toEqual([note(1), note(2), note(PART_SEQS - 1)]); // the copy is as it was
    // Another table with the same notes has other stamps: equal stamps mean the same notes only within one table's history.
    const other = new NoteTable();
    for (const seq of [1, 2, PART_SEQS - 1]) other.append(note(seq));
    expect(other.frozen().stamp(0)).not.toBe(before.stamp(0));
  });

  it('keeps a frozen copy as it was while the table changes', () => {
    const t = new NoteTable();
    for (let seq = 1; seq <= 200; seq++) t.append(note(seq));
    const frozen = t.frozen();
    t.replace(note(1, 'edited', 2));
    for (let seq = 2; seq <= 150; seq++) t.delete(seq); // enough tombstones to pack the table
    t.append(note(201));
    expect(frozen.count).toBe(200);
    expect([...Array(200).keys()].map((r) => frozen.at(r))).toEqual([...Array(200).keys()].map((r) => note(r + 1)));
    expect(t.list()).toEqual([note(1, 'edited', 2), ...[...Array(51).keys()].map((i) => note(151 + i))]);
  });

  it('behaves as a map of notes in seq order under any appends, replaces and deletes (property)', () => {
    const op = fc.oneof(
      // Weighed so that notes pile up and tombstones still pass half the rows: the table packs itself with live notes in it.
      { arbitrary: fc.record({ kind: fc.constant('append' as const), gap: fc.integer({ min: 1, max: 3 }) }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 300 }) }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }), weight: 2 },
    );
    fc.assert(fc.property(fc.array(op, { minLength: 200, maxLength: 600 }), (ops) => {
      const t = new NoteTable();
      const model = new Map<number, Note>();
      let last = 0;
      for (const o of ops) {
        const seqs = [...model.keys()];
        if (o.kind === 'append' || seqs.length === 0) {
          last += o.kind === 'append' ? o.gap : 1;
          t.append(note(last));
          model.set(last, note(last));
        } else if (o.kind === 'replace') {
          const seq = seqs[o.pick % seqs.length]!;
          const next = { ...model.get(seq)!, text: o.text, version: model.get(seq)!.version + 1 };
          t.replace(next);
          model.set(seq, next);
        } else {
          const seq = seqs[o.pick % seqs.length]!;
          expect(t.delete(seq)).toBe(true);
          expect(t.delete(seq)).toBe(false);
          model.delete(seq);
        }
      }
      expect(t.list()).toEqual([...model.values()]);
      expect(t.size()).toBe(model.size);
      for (let seq = 0; seq <= last + 1; seq++) expect(t.get(seq)).toEqual(model.get(seq));
    }), { numRuns: 50 });
  });
});

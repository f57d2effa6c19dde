import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand, InvalidCommandError, MAX_TEXT_BYTES, textError, type Command } from './command.ts';
import { MAX_CHANGES, NotesDocument, noteId, noteIndex, notesJson } from './notes-document.ts';
import type { Note } from './note-table.ts';
import { MAX_SESSIONS, Sessions } from './sessions.ts';

const base = { client: 'c1', author: 'Ada', at: 1_000 };
const add = (seq: number, text: string, client = 'c1'): Command => ({ ...base, client, seq, op: 'add', text });

describe('NotesDocument', () => {
  it('adds notes in log order with ids, versions and the proposer\'s times', () => {
    const doc = new NotesDocument();
    const a = doc.apply(3, add(1, 'first'));
    const b = doc.apply(5, { ...add(2, 'second'), at: 2_000 });
    expect(a).toMatchObject({ ok: true, note: { seq: 3, text: 'first', author: 'Ada', createdAt: 1_000, version: 1 } });
    expect(b).toMatchObject({ ok: true, note: { seq: 5, createdAt: 2_000 } });
    expect(doc.list().map((n) => n.text)).toEqual(['first', 'second']);
    expect(doc.appliedIndex).toBe(5);
  });

  it('numbers notes densely per notebook, whatever their log indexes, and keeps the numbers in snapshots', () => {
    const doc = new NotesDocument();
    doc.apply(2, add(1, 'one'));
    doc.skip(3);
    const two = doc.apply(7, add(2, 'two'));
    if (!two.ok) throw new Error('add failed');
    doc.apply(9, { ...base, seq: 3, op: 'edit', id: two.note.id, version: 1, text: 'two, edited' });
    expect(doc.list().map((n) => [n.number, n.seq])).toEqual([[1, 2], [2, 7]]);
    doc.apply(10, { ...base, seq: 4, op: 'delete', id: two.note.id, version: 2 });
    const copy = NotesDocument.restore(doc.snapshot());
    // A deleted note keeps its number: the next one is #3, on the original and on the restored copy alike.
    expect(copy.apply(12, add(5, 'three'))).toMatchObject({ ok: true, note: { number: 3, seq: 12 } });
    expect(doc.apply(12, add(5, 'three'))).toMatchObject({ ok: true, note: { number: 3, seq: 12 } });
  });

  it('numbers the notes of a snapshot of format 1 (before numbers) in log order', () => {
    const old = { format: 1, appliedIndex: 8, notes: [
      { id: 'n3', seq: 3, text: 'a', author: 'Ada', createdAt: 1, updatedAt: 1, version: 1 },
      { id: 'n8', seq: 8, text: 'b', author: 'Ada', createdAt: 2, updatedAt: 2, version: 1 },
    ], sessions: [] };
    const image = new TextEncoder().encode(JSON.stringify(old));
    const doc = NotesDocument.restore(image);
    expect(doc.list().map((n) => n.number)).toEqual([1, 2]);
    expect(doc.apply(9, add(1, 'c'))).toMatchObject({ ok: true, note: { number: 3 } });
    // In pieces too (a compressed snapshot's members): parsed whole once they are joined.
    const pieces = Array.from({ length: Math.ceil(image.length / 7) }, (_, i) => image.subarray(i * 7, i * 7 + 7));
    expect(NotesDocument.restore(pieces).list()).toEqual(NotesDocument.restore(image).list());
  });

  it('tells the changes since an applied index: notes added or edited in log order, ids deleted', () => {
    const doc = new NotesDocument();
    const a = doc.apply(1, add(1, 'a'));
    const b = doc.apply(2, add(2, 'b'));
    if (!a.ok || !b.ok) throw new Error('add failed');
    expect(doc.changesSince(2)).toEqual({ notes: [], deleted: [] });
    doc.apply(3, add(3, 'c'));
    doc.apply(4, { ...base, seq: 4, op: 'edit', id: a.note.id, version: 1, text: 'a2' });
    doc.apply(5, { ...base, seq: 5, op: 'delete', id: b.note.id, version: 1 });
    doc.skip(6);
    const changes = doc.changesSince(2)!;
    expect(changes.notes.map((n) => n.text)).toEqual(['a2', 'c']);
    expect(changes.deleted).toEqual([b.note.id]);
    expect(doc.changesSince(5)).toEqual({ notes: [], deleted: [] });
    // After the end, or before what a restored copy remembers: unknown, so the whole document is the answer.
    expect(doc.changesSince(7)).toBeNull();
    expect(NotesDocument.restore(doc.snapshot()).changesSince(5)).toBeNull();
    expect(NotesDocument.restore(doc.snapshot()).changesSince(6)).toEqual({ notes: [], deleted: [] });
  });

  it('forgets the oldest changes past MAX_CHANGES and answers null for them', () => {
    const doc = new NotesDocument();
    for (let i = 1; i <= MAX_CHANGES + 1; i++) doc.apply(i, add(i, `n${i}`));
    expect(doc.changesSince(0)).toBeNull();
    const recent = doc.changesSince(MAX_CHANGES - 1)!;
    expect(recent.notes.map((n) => n.text)).toEqual([`n${MAX_CHANGES}`, `n${MAX_CHANGES + 1}`]);
  });

  it('edits and deletes by compare-and-swap on the version', () => {
    const doc = new NotesDocument();
    const added = doc.apply(1, add(1, 'draft'));
    if (!added.ok) throw new Error('add failed');
    const id = added.note.id;
    const edit = doc.apply(2, { ...base, seq: 2, at: 5_000, op: 'edit', id, version: 1, text: 'final' });
    expect(edit).toMatchObject({ ok: true, note: { id, text: 'final', version: 2, createdAt: 1_000, updatedAt: 5_000 } });
    const stale = doc.apply(3, { ...base, client: 'c2', seq: 1, op: 'edit', id, version: 1, text: 'mine' });
    expect(stale).toMatchObject({ ok: false, error: 'conflict', current: { text: 'final', version: 2 } });
    expect(doc.apply(4, { ...base, seq: 3, op: 'delete', id, version: 1 })).toMatchObject({ ok: false, error: 'conflict' });
    expect(doc.apply(5, { ...base, seq: 4, op: 'delete', id, version: 2 })).toMatchObject({ ok: true, op: 'delete' });
    expect(doc.apply(6, { ...base, seq: 5, op: 'delete', id, version: 2 })).toEqual({ ok: false, error: 'not-found' });
    expect(doc.list()).toEqual([]);
  });

  it('knows for certain only what no later entry can change: an older version, a note applied and gone', () => {
    const doc = new NotesDocument();
    doc.skip(1);
    const added = doc.apply(2, add(1, 'draft'));
    if (!added.ok) throw new Error('add failed');
    const id = added.note.id;
    doc.apply(3, { ...base, seq: 2, op: 'edit', id, version: 1, text: 'v2' });
    expect(doc.certainRefusal(id, 1)).toMatchObject({ error: 'conflict', current: { version: 2 } });
    expect(doc.certainRefusal(id, 2)).toBeNull();
    expect(doc.certainRefusal(id, 3)).toBeNull(); // a version this copy has not seen yet
    expect(doc.certainRefusal(noteId(1), 1)).toEqual({ error: 'not-found' }); // entry 1 added no note
    expect(doc.certainRefusal(noteId(4), 1)).toBeNull(); // entry 4 is not applied here yet
    expect(doc.certainRefusal('note-7', 1)).toEqual({ error: 'not-found' }); // not a note id at all
    expect([noteIndex(noteId(12_345)), noteIndex('n0'), noteIndex('n01'), noteIndex('x1')]).toEqual([12_345, null, null, null]);
  });

  it('refuses for certain on a lagging copy only what the full log refuses too (property)', () => {
    type Op = { kind: 'add' } | { kind: 'edit' | 'delete'; target: number; version: number } | { kind: 'noop' };
    const op = fc.oneof(
      fc.constant<Op>({ kind: 'add' }),
      fc.constant<Op>({ kind: 'noop' }),
      fc.record({ kind: fc.constantFrom('edit' as const, 'delete' as const), target: fc.nat(20), version: fc.integer({ min: 1, max: 4 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), fc.nat(30), fc.nat(25), fc.integer({ min: 1, max: 5 }), (ops, lag, probe, version) => {
      const full = new NotesDocument();
      const behind = new NotesDocument();
      ops.forEach((o, i) => {
        const index = i + 1;
        const copies = index <= ops.length - lag ? [full, behind] : [full];
        for (const doc of copies) {
          if (o.kind === 'noop') doc.skip(index);
          else if (o.kind === 'add') doc.apply(index, add(index, `note ${index}`));
          else doc.apply(index, { ...base, seq: index, op: o.kind, id: noteId(o.target), version: o.version, ...(o.kind === 'edit' ? { text: 'x' } : {}) } as Command);
        }
      });
      const id = noteId(probe + 1);
      const certain = behind.certainRefusal(id, version);
      if (certain === null) return;
      const decided = NotesDocument.restore(full.snapshot()).apply(ops.length + 1, { ...base, client: 'probe', seq: 1, op: 'delete', id, version });
      // Refused for certain: a note gone stays gone; an older version stays older (or its note was deleted since).
      expect(decided.ok).toBe(false);
      if (certain.error === 'not-found') expect(decided).toEqual({ ok: false, error: 'not-found' });
      else expect(['conflict', 'not-found']).toContain((decided as { error: string }).error);
    }));
  });

  it('applies a repeated request once, even out of order', () => {
    const doc = new NotesDocument();
    doc.apply(1, add(2, 'two'));
    doc.apply(2, add(1, 'one'));
    expect(doc.apply(3, add(2, 'two'))).toEqual({ ok: false, error: 'duplicate' });
    expect(doc.apply(4, add(1, 'one'))).toEqual({ ok: false, error: 'duplicate' });
    expect(doc.apply(5, add(3, 'three'))).toMatchObject({ ok: true });
    expect(doc.list().map((n) => n.text)).toEqual(['two', 'one', 'three']);
  });

  it('refuses to apply an index twice', () => {
    const doc = new NotesDocument();
    doc.apply(4, add(1, 'x'));
    expect(() => doc.apply(4, add(2, 'y'))).toThrow(RangeError);
  });

  it('restores exactly from its snapshot', () => {
    const doc = new NotesDocument();
    doc.apply(1, add(1, 'a'));
    doc.apply(2, add(1, 'b', 'c2'));
    doc.skip(3);
    const copy = NotesDocument.restore(doc.snapshot());
    expect(copy.list()).toEqual(doc.list());
    expect(copy.appliedIndex).toBe(3);
    expect(copy.apply(4, add(1, 'a'))).toEqual({ ok: false, error: 'duplicate' });
    expect(() => NotesDocument.restore(new TextEncoder().encode('{"format":9}'))).toThrow(/format/);
  });

  it('refuses a snapshot whose notes are malformed or out of log order, naming what is wrong', () => {
    const doc = new NotesDocument();
    doc.apply(1, add(1, 'a'));
    doc.apply(2, add(2, 'b'));
    const body = JSON.parse(new TextDecoder().decode(doc.snapshot()));
    const restoreWith = (change: (notes: any[]) => void) => {
      const copy = structuredClone(body);
      change(copy.notes);
      return () => NotesDocument.restore(new TextEncoder().encode(JSON.stringify(copy)));
    };
    expect(restoreWith(() => {})).not.toThrow();
    expect(restoreWith((notes) => { notes[0].version = 0; })).toThrow(/version 0 is not a positive integer/);
    expect(restoreWith((notes) => { notes[1].id = 'n9'; })).toThrow(/id n9 is not the id of seq 2/);
    expect(restoreWith((notes) => { delete notes[0].text; })).toThrow(/no text/);
    expect(restoreWith((notes) => notes.reverse())).toThrow(/does not follow/);
  });

  it('restores a large image a batch of notes at a time, whatever its texts hold', () => {
    // Texts that look like the JSON around them, and enough of them for several batches of about 1 MiB.
    const tricky = ['}', '{', '"', '\\', '},{"id":"n1"}', '"},', '\\"}', 'é 🎉 漢字', '],"sessions":[]}'];
    const doc = new NotesDocument();
    for (let i = 0; i < 90; i++) doc.apply(i + 1, add(i + 1, `${tricky[i % tricky.length]}${'x'.repeat(30_000)}${tricky[(i + 3) % tricky.length]}`, `c${i % 4}`));
    doc.apply(91, { ...base, seq: 91, op: 'delete', id: noteId(5), version: 1 });
    const image = doc.snapshot();
    expect(image.byteLength).toBeGreaterThan(2.5 * 1024 * 1024);
    const copy = NotesDocument.restore(image);
    expect(copy.list()).toEqual(doc.list());
    expect(copy.appliedIndex).toBe(91);
    // The sessions and the next number came through: a retried request is a duplicate, a new note is #91.
    expect(copy.apply(92, add(1, 'again', 'c0'))).toEqual({ ok: false, error: 'duplicate' });
    expect(copy.apply(93, add(1, 'new', 'someone'))).toMatchObject({ ok: true, note: { number: 91 } });
  });

  it('restores the same document from its image cut into pieces anywhere (property)', () => {
    const doc = new NotesDocument();
    const texts = ['}', '{"', '\\', '"},{"id":"n1"}', 'é 🎉 漢字', '],"sessions":[]}', 'plain'];
    texts.forEach((text, i) => doc.apply(i + 1, add(i + 1, text, `c${i % 2}`)));
    const image = doc.snapshot();
    const inPieces = (cuts: number[]): Uint8Array[] => {
      const ends = [...new Set(cuts)].sort((a, b) => a - b).concat(image.length);
      return ends.map((end, i) => image.subarray(i === 0 ? 0 : ends[i - 1], end));
    };
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: image.length }), { maxLength: 40 }), (cuts) => {
      expect(NotesDocument.restore(inPieces(cuts)).list()).toEqual(doc.list());
    }));
    const bytes = Array.from({ length: image.length }, (_, i) => i);
    expect(NotesDocument.restore(inPieces(bytes)).list()).toEqual(doc.list());
    // Cut short, in pieces or whole, it is refused.
    const cut = image.subarray(0, image.indexOf(0x7d) - 1); // inside the first note
    expect(() => NotesDocument.restore([cut.subarray(0, 50), cut.subarray(50)])).toThrow(/ends inside a note/);
    expect(() => NotesDocument.restore(cut)).toThrow(/ends inside a note/);
  });

  it('refuses an image whose layout is broken, saying where', () => {
    const doc = new NotesDocument();
    doc.apply(1, add(1, 'a'));
    doc.apply(2, add(2, 'b'));
    const json = new TextDecoder().decode(doc.snapshot());
    const restore = (text: string) => () => NotesDocument.restore(new TextEncoder().encode(text));
    expect(restore(json)).not.toThrow();
    expect(restore(json.replace('}],"sessions"', '},],"sessions"'))).toThrow(/not a list of notes/);
    expect(restore(json.replace('"version":1}', '"version":1,"x":{"y":1}}'))).toThrow(SyntaxError);
    expect(restore(json.slice(0, json.indexOf('"author"')))).toThrow(/ends inside a note/);
    expect(restore(json.replace('},{', '} {'))).toThrow(/not a list of notes/);
    expect(restore(json.slice(0, json.indexOf(',"sessions"')) + ']}')).toThrow(/no sessions/);
    expect(restore(json.replace('"sessions":', '"other":1,"sessions":'))).toThrow(/no sessions/);
  });

  it('applies each request once under any interleaving of retries and duplicates (property)', () => {
    // Requests of three clients, each delivered 1-3 times in any order.
    const request = fc.record({ client: fc.constantFrom('a', 'b', 'c'), seq: fc.integer({ min: 1, max: 30 }) });
    fc.assert(fc.property(fc.array(request, { maxLength: 120 }), (deliveries) => {
      const doc = new NotesDocument();
      deliveries.forEach((r, i) => doc.apply(i + 1, add(r.seq, `${r.client}:${r.seq}`, r.client)));
      const texts = doc.list().map((n) => n.text);
      const distinct = new Set(deliveries.map((r) => `${r.client}:${r.seq}`));
      expect(texts.length).toBe(distinct.size);
      expect(new Set(texts)).toEqual(distinct);
    }));
  });

  it('equals its original after snapshot and restore, whatever was applied (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), text: fc.string({ minLength: 1, maxLength: 20 }) }),
      fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), version: fc.integer({ min: 1, max: 3 }), text: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(), version: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.nat(60), (ops, cut) => {
      const doc = new NotesDocument();
      const run = (d: NotesDocument, from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const o = ops[i]!;
          const ids = d.list().map((n) => n.id);
          const seq = i + 1;
          if (o.kind === 'add' || ids.length === 0) d.apply(seq, add(seq, o.kind === 'add' ? o.text : 'x'));
          else if (o.kind === 'edit') d.apply(seq, { ...base, seq, op: 'edit', id: ids[o.pick % ids.length]!, version: o.version, text: o.text });
          else d.apply(seq, { ...base, seq, op: 'delete', id: ids[o.pick % ids.length]!, version: o.version });
        }
      };
      const at = Math.min(cut, ops.length);
      run(doc, 0, at);
      const restored = NotesDocument.restore(doc.snapshot());
      expect(restored.list()).toEqual(doc.list());
      run(doc, at, ops.length);
      run(restored, at, ops.length);
      expect(restored.list()).toEqual(doc.list());
      expect(restored.snapshot()).toEqual(doc.snapshot());
    }));
  });
});

describe('Command', () => {
  it('round-trips every operation', () => {
    const cmds: Command[] = [
      add(1, 'hello ✓'),
      { ...base, seq: 2, op: 'edit', id: 'n1', version: 1, text: 'x' },
      { ...base, seq: 3, op: 'delete', id: 'n1', version: 2 },
    ];
    for (const c of cmds) expect(decodeCommand(encodeCommand(c))).toEqual(c);
  });

  it('rejects malformed commands with a message naming the field', () => {
    const bad = (v: unknown) => () => decodeCommand(new TextEncoder().encode(JSON.stringify(v)));
    expect(bad({ ...add(1, 'x'), seq: 0 })).toThrow(/seq/);
    expect(bad({ ...add(1, 'x'), op: 'drop' })).toThrow(/op must be/);
    expect(bad({ ...add(1, 'x'), text: '' })).toThrow(/empty/);
    expect(bad({ ...base, seq: 1, op: 'edit', id: 'n1', text: 'x' })).toThrow(/version/);
    expect(bad([1, 2])).toThrow(InvalidCommandError);
    expect(() => decodeCommand(Uint8Array.of(0xff, 0xfe))).toThrow(/UTF-8 JSON/);
  });

  it('limits text to 1..65,536 bytes of UTF-8', () => {
    expect(textError('a'.repeat(MAX_TEXT_BYTES))).toBeNull();
    expect(textError('a'.repeat(MAX_TEXT_BYTES + 1))).toMatch(/at most/);
    expect(textError('é'.repeat(MAX_TEXT_BYTES / 2 + 1))).toMatch(/at most/);
    expect(textError('')).toMatch(/empty/);
    expect(textError(3)).toMatch(/string/);
  });
});

describe('Sessions', () => {
  it('keeps the most recent clients and forgets the oldest', () => {
    const s = new Sessions();
    for (let i = 0; i <= MAX_SESSIONS; i++) s.record(`c${i}`, 1, i + 1);
    expect(s.size()).toBe(MAX_SESSIONS);
    expect(s.applied('c0', 1)).toBe(false);
    expect(s.applied(`c${MAX_SESSIONS}`, 1)).toBe(true);
  });

  it('moves its floor up over contiguous requests', () => {
    const s = new Sessions();
    s.record('c', 3, 1);
    s.record('c', 1, 2);
    expect(s.toJSON()[0]![1]).toMatchObject({ floor: 1, above: [3] });
    s.record('c', 2, 3);
    expect(s.toJSON()[0]![1]).toMatchObject({ floor: 3, above: [] });
  });
});

describe('notesJson', () => {
  it('writes the characters JSON.stringify writes, without the brackets', () => {
    const notes: Note[] = [
      { id: 'n1', seq: 1, number: 1, text: 'plain', author: 'Ada', createdAt: 1_765_000_000_000, updatedAt: 1_765_000_000_000, version: 1 },
      { id: 'n2z', seq: 107, number: 2, text: 'quote " backslash \\ newline\n tab\t nul\u0000 ✓ 😀 lone \uD800 end', author: 'Gr"ace\\', createdAt: 0, updatedAt: 5, version: 12 },
      { id: 'nzzzzzz', seq: 2_176_782_335, number: 99_999, text: '', author: '', createdAt: 1.5, updatedAt: 2, version: 3 },
    ];
    expect(notesJson(notes)).toBe(JSON.stringify(notes).slice(1, -1));
    expect(notesJson(notes.slice(0, 1))).toBe(JSON.stringify(notes.slice(0, 1)).slice(1, -1));
    expect(notesJson([])).toBe('');
  });
});

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeCommand, decodeCommand, NotesDocument, type Command, type SnapshotImage } from '../notes/index.ts';
import { SnapshotPacker, unpackSnapshot } from './snapshot-codec.ts';

const packSnapshot = (image: SnapshotImage): Promise<Uint8Array> => new SnapshotPacker().pack(image);
/** unpacked is the image in snapshot bytes, its pieces joined. */
const unpacked = (data: Uint8Array): Uint8Array => new Uint8Array(Buffer.concat([...unpackSnapshot(data)]));

function documentOf(notes: number): NotesDocument {
  const doc = new NotesDocument();
  for (let i = 0; i < notes; i++) {
    doc.apply(i + 1, decodeCommand(encodeCommand({
      client: `client-${i % 7}`, seq: Math.floor(i / 7) + 1, author: `Author ${i % 7}`, at: 1_764_500_000_000 + i * 1013, op: 'add',
      text: `Meeting notes ${i}: ${(i * 7919).toString(36)} decided, ${(i * 104729).toString(36)} to follow up`,
    })));
  }
  return doc;
}

describe('SnapshotCodec', () => {
  it('packs a document image into fewer bytes that unpack to the same image, and the same document', async () => {
    const doc = documentOf(2_500);
    const image = doc.snapshot();
    const packed = await packSnapshot(doc.snapshotImage());
    expect(packed.length).toBeLessThan(image.length / 2);
    expect(unpacked(packed)).toEqual(image);
    expect(NotesDocument.restore(unpackSnapshot(packed)).list()).toEqual(doc.list());
  });

  it('packs the document as it was when the image was taken, while it goes on changing', async () => {
    const doc = documentOf(2_500);
    const before = doc.snapshot();
    const packing = packSnapshot(doc.snapshotImage());
    doc.apply(2_501, decodeCommand(encodeCommand({ client: 'late', seq: 1, author: 'Late', at: 1, op: 'add', text: 'after the image' })));
    doc.apply(2_502, decodeCommand(encodeCommand({ client: 'late', seq: 2, author: 'Late', at: 2, op: 'delete', id: doc.list()[0]!.id, version: 1 })));
    expect(unpacked(await packing)).toEqual(before);
  });

  it('packs a changing document again and again into its image each time, however its parts change', async () => {
    // Seeded changes: adds, edits and deletes, whole parts emptied (the first one too), a restore in the middle.
    let random = 12_345;
    const next = (n: number): number => { random = (random * 1_103_515_245 + 12_345) % 2 ** 31; return random % n; };
    let doc = documentOf(3_100);
    const packer = new SnapshotPacker();
    let index = 3_100;
    const apply = (command: { op: 'add'; text: string } | { op: 'edit'; id: string; version: number; text: string } | { op: 'delete'; id: string; version: number }): void => {
      index++;
      doc.apply(index, decodeCommand(encodeCommand({ client: 'changes', seq: index, author: 'Changes', at: index, ...command } as Command)));
    };
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 150; i++) {
        const notes = doc.list();
        const pick = next(10);
        if (pick < 4 || notes.length === 0) apply({ op: 'add', text: `round ${round} note ${i}` });
        else if (pick < 7) { const n = notes[next(notes.length)]!; apply({ op: 'edit', id: n.id, version: n.version, text: `edited in round ${round}` }); }
        else { const n = notes[next(notes.length)]!; apply({ op: 'delete', id: n.id, version: n.version }); }
      }
      if (round === 3) for (const n of doc.list().filter((note) => note.seq < 1_000)) apply({ op: 'delete', id: n.id, version: n.version });
      if (round === 8) doc = NotesDocument.restore(doc.snapshot());
      expect(new TextDecoder().decode(unpacked(await packer.pack(doc.snapshotImage())))).toBe(new TextDecoder().decode(doc.snapshot()));
    }
  });

  it('writes out again only the parts of notes that changed since the image before', async () => {
    const doc = documentOf(5_000); // parts 0 to 5
    const packer = new SnapshotPacker();
    const written = async (): Promise<number[]> => {
      const image = doc.snapshotImage();
      const parts: number[] = [];
      const notes = { ...image.notes, notesIn: (part: number) => { parts.push(part); return image.notes.notesIn(part); } };
      const packed = await packer.pack({ ...image, notes });
      expect(unpacked(packed)).toEqual(doc.snapshot());
      return parts;
    };
    expect(await written()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await written()).toEqual([]);
    const second = doc.list()[2_500]!;
    doc.apply(5_001, decodeCommand(encodeCommand({ client: 'late', seq: 1, author: 'Late', at: 1, op: 'edit', id: second.id, version: 1, text: 'edited' })));
    expect(await written()).toEqual([2]);
    // Every note of part 0 deleted: part 1 comes first and is written again, without its comma.
    let seq = 2;
    for (const note of doc.list().filter((n) => n.seq < 1_000)) {
      doc.apply(5_000 + seq, decodeCommand(encodeCommand({ client: 'late', seq, author: 'Late', at: seq, op: 'delete', id: note.id, version: note.version })));
      seq++;
    }
    expect(await written()).toEqual([0, 1]);
  });

  it('reads a snapshot written before compression (a plain image) as it is', () => {
    const image = documentOf(10).snapshot();
    expect([...unpackSnapshot(image)]).toEqual([image]);
    expect([...unpackSnapshot(image)][0]).toBe(image);
  });

  it('reads a snapshot compressed whole (one gzip member), and one whose member carries a file name', () => {
    const doc = documentOf(1_500);
    const image = doc.snapshot();
    const whole = gzipSync(image, { level: 1 });
    expect(NotesDocument.restore(unpackSnapshot(whole)).list()).toEqual(doc.list());
    // FLG.FNAME (RFC 1952): a header node:zlib never writes, decompressed by gunzip from there on.
    const named = new Uint8Array(Buffer.concat([whole.subarray(0, 3), Buffer.from([0x08]), whole.subarray(4, 10), Buffer.from('notes.json\0'), whole.subarray(10)]));
    expect(unpacked(named)).toEqual(image);
  });

  it('refuses packed bytes cut short instead of reading a part of the notebook', async () => {
    const packed = await packSnapshot(documentOf(200).snapshotImage());
    expect(() => [...unpackSnapshot(packed.subarray(0, packed.length - 10))]).toThrow();
    expect(() => [...unpackSnapshot(packed.subarray(0, packed.length - 4))]).toThrow(/ends inside its gzip member/);
  });

  it('refuses a gzip member that decompresses to more than a part of notes can hold (a gzip bomb) before holding it', async () => {
    const packed = await packSnapshot(documentOf(2_500).snapshotImage());
    const largest = Math.max(...[...unpackSnapshot(packed)].map((p) => p.byteLength));
    expect([...unpackSnapshot(packed, largest)]).toHaveLength(5);
    expect(() => [...unpackSnapshot(packed, largest - 1)]).toThrow(/decompresses to more than \d+ bytes.*not a Raftnotes snapshot/);
    // 64 MiB of zeros in 64 KiB: refused at the bound, in a member read raw and in one read by gunzip (a file name in its header).
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.byteLength).toBeLessThan(128 * 1024);
    expect(() => [...unpackSnapshot(bomb, 1024 * 1024)]).toThrow(/member at byte 0 decompresses to more than 1048576 bytes/);
    const named = new Uint8Array(Buffer.concat([bomb.subarray(0, 3), Buffer.from([0x08]), bomb.subarray(4, 10), Buffer.from('bomb\0'), bomb.subarray(10)]));
    expect(() => [...unpackSnapshot(named, 1024 * 1024)]).toThrow(/member at byte 0 decompresses to more than 1048576 bytes/);
  });

  it('unpacks one gzip member at a time, a part of notes each, and refuses a damaged one', async () => {
    const doc = documentOf(5_000); // parts 0 to 5
    const packed = await packSnapshot(doc.snapshotImage());
    const pieces = [...unpackSnapshot(packed)];
    // The head, six parts of notes, the tail: no piece holds more than a part.
    expect(pieces).toHaveLength(8);
    expect(Math.max(...pieces.map((p) => p.byteLength))).toBeLessThan(doc.snapshot().byteLength / 4);
    expect(NotesDocument.restore(unpackSnapshot(packed)).list()).toEqual(doc.list());
    // One byte changed in the last member's CRC-32, then in the middle of the compressed notes.
    const damaged = (at: number): Uint8Array => { const copy = packed.slice(); copy[at]! ^= 0xff; return copy; };
    expect(() => [...unpackSnapshot(damaged(packed.length - 8))]).toThrow(/damaged/);
    expect(() => [...unpackSnapshot(damaged(Math.floor(packed.length / 2)))]).toThrow();
  });
});

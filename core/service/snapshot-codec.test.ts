import { describe, expect, it } from 'vitest';
import { encodeCommand, decodeCommand, NotesDocument } from '../notes/index.ts';
import { packSnapshot, unpackSnapshot } from './snapshot-codec.ts';

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
    expect(unpackSnapshot(packed)).toEqual(image);
    expect(NotesDocument.restore(unpackSnapshot(packed)).list()).toEqual(doc.list());
  });

  it('packs the document as it was when the image was taken, while it goes on changing', async () => {
    const doc = documentOf(2_500);
    const before = doc.snapshot();
    const packing = packSnapshot(doc.snapshotImage());
    doc.apply(2_501, decodeCommand(encodeCommand({ client: 'late', seq: 1, author: 'Late', at: 1, op: 'add', text: 'after the image' })));
    doc.apply(2_502, decodeCommand(encodeCommand({ client: 'late', seq: 2, author: 'Late', at: 2, op: 'delete', id: doc.list()[0]!.id, version: 1 })));
    expect(unpackSnapshot(await packing)).toEqual(before);
  });

  it('reads a snapshot written before compression (a plain image) as it is', () => {
    const image = documentOf(10).snapshot();
    expect(unpackSnapshot(image)).toBe(image);
  });

  it('refuses packed bytes cut short instead of reading a part of the notebook', async () => {
    const packed = await packSnapshot(documentOf(200).snapshotImage());
    expect(() => unpackSnapshot(packed.subarray(0, packed.length - 10))).toThrow();
  });
});

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
    const doc = documentOf(2_000);
    const image = doc.snapshot();
    const packed = await packSnapshot(image);
    expect(packed.length).toBeLessThan(image.length / 2);
    expect(unpackSnapshot(packed)).toEqual(image);
    expect(NotesDocument.restore(unpackSnapshot(packed)).list()).toEqual(doc.list());
  });

  it('reads a snapshot written before compression (a plain image) as it is', () => {
    const image = documentOf(10).snapshot();
    expect(unpackSnapshot(image)).toBe(image);
  });

  it('refuses packed bytes cut short instead of reading a part of the notebook', async () => {
    const packed = await packSnapshot(documentOf(200).snapshot());
    expect(() => unpackSnapshot(packed.subarray(0, packed.length - 10))).toThrow();
  });
});

// The bytes a notebook's snapshot is kept in memory, written to disk and sent
// to a joining peer as: the document's image (NotesDocument.snapshotImage(),
// JSON) compressed with gzip. A notebook of 200,000 notes makes an image of
// about 44 MB: written out whole, held by the Raft log between compactions and
// sent whole to a new peer, it cost memory, a long pause of the event loop and
// catch-up time, for what compresses several times over. The image is written
// out and compressed piece by piece, between other work. Snapshots written
// before compression (a JSON image, `{` first) still read.
import { once } from 'node:events';
import { createGzip, gunzipSync } from 'node:zlib';
import { imageParts, type SnapshotImage } from '../notes/index.ts';

/** GZIP_MAGIC starts every gzip stream (RFC 1952); an image (JSON) starts with `{`. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * packSnapshot writes out and compresses a document image (level 1: the
 * fastest, most of the gain), one piece per turn of the event loop, the
 * compression in zlib's thread pool.
 */
export async function packSnapshot(image: SnapshotImage): Promise<Uint8Array> {
  const gzip = createGzip({ level: 1 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(gzip, 'end');
  for (const part of imageParts(image)) {
    if (!gzip.write(part)) await once(gzip, 'drain');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  gzip.end();
  await ended;
  return new Uint8Array(Buffer.concat(out));
}

/** unpackSnapshot is the document image in snapshot bytes: packed ones are decompressed, an older plain image is returned as is. */
export function unpackSnapshot(data: Uint8Array): Uint8Array {
  if (data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1]) return new Uint8Array(gunzipSync(data));
  return data;
}

// The bytes a notebook's snapshot is kept in memory, written to disk and sent
// to a joining peer as: the document's image (NotesDocument.snapshot(), JSON)
// compressed with gzip. A notebook of 200,000 notes makes an image of about
// 44 MB: held by the Raft log between compactions and sent whole to a new
// peer, it cost memory and catch-up time for what compresses several times
// over. Snapshots written before compression (a JSON image, `{` first) still read.
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** GZIP_MAGIC starts every gzip stream (RFC 1952); an image (JSON) starts with `{`. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** packSnapshot compresses a document image, off the event loop (zlib's thread pool); level 1: the fastest, most of the gain. */
export async function packSnapshot(image: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(image, { level: 1 }));
}

/** unpackSnapshot is the document image in snapshot bytes: packed ones are decompressed, an older plain image is returned as is. */
export function unpackSnapshot(data: Uint8Array): Uint8Array {
  if (data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1]) return new Uint8Array(gunzipSync(data));
  return data;
}

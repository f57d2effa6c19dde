// The bytes a notebook's snapshot is kept in memory, written to disk and sent
// to a joining peer as: the document's image (NotesDocument.snapshotImage(),
// JSON) compressed with gzip. A notebook of 200,000 notes makes an image of
// about 44 MB: written out whole, held by the Raft log between compactions and
// sent whole to a new peer, it cost memory, a long pause of the event loop and
// catch-up time, for what compresses several times over.
//
// The image is compressed a part of notes at a time (NoteParts), each part
// its own gzip member: gzip members one after another are one gzip stream,
// which reads back as the whole image. A peer snapshots every 10,000 entries,
// and between two snapshots most parts do not change, so SnapshotPacker keeps
// each part's member and compresses again only the parts whose notes changed:
// a snapshot of 200,000 notes cost some 600 ms of CPU written out whole, and
// most of it went on notes already written the time before.
// Snapshots written before compression (a JSON image, `{` first) still read.
import { promisify } from 'node:util';
import { crc32, gunzipSync, gzip, inflateRawSync } from 'node:zlib';
import { partJson, type SnapshotImage } from '../notes/index.ts';

/** GZIP_MAGIC starts every gzip stream (RFC 1952); an image (JSON) starts with `{`. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

const gzipAsync = promisify(gzip);

/** gzipMember compresses a piece of an image in zlib's thread pool (level 1: the fastest, most of the gain). */
function gzipMember(text: string): Promise<Buffer> {
  return gzipAsync(text, { level: 1 });
}

/** PackedPart is what a packer wrote of one part of notes: its stamp then, whether it began with a comma, and its member (null: no notes). */
interface PackedPart {
  stamp: number;
  comma: boolean;
  member: Uint8Array | null;
}

/**
 * SnapshotPacker writes out and compresses the images of one document, one
 * after another, compressing again only the parts of notes that changed since
 * the image before. The bytes it returns are not to be changed: the next
 * image reuses them.
 */
export class SnapshotPacker {
  /** The parts of the last image packed, by part number. */
  private packed = new Map<number, PackedPart>();

  async pack(image: SnapshotImage): Promise<Uint8Array> {
    const { notes } = image;
    const members: Uint8Array[] = [await gzipMember(image.head)];
    const parts = new Map<number, PackedPart>();
    /** The parts whose members follow the head, in order. */
    const placed: PackedPart[] = [];
    for (let k = 0; k < notes.parts; k++) {
      const stamp = notes.stamp(k);
      if (stamp === 0) continue;
      const first = placed.length === 0;
      let part = this.packed.get(k);
      // The first part with notes is written without the comma that joins the others to the one before.
      if (part === undefined || part.stamp !== stamp || (part.member !== null && part.comma === first)) {
        const list = notes.notesIn(k);
        part = { stamp, comma: !first, member: list.length === 0 ? null : await gzipMember(partJson(list, first)) };
      }
      parts.set(k, part);
      if (part.member === null) continue;
      members.push(part.member);
      placed.push(part);
    }
    members.push(await gzipMember(image.tail));
    const joined = Buffer.concat(members);
    const bytes = new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
    // The parts now point into these bytes: the members of the image before are freed with it.
    let offset = members[0]!.byteLength;
    for (const part of placed) {
      const length = part.member!.byteLength;
      part.member = bytes.subarray(offset, offset + length);
      offset += length;
    }
    this.packed = parts;
    return bytes;
  }
}

/** GZIP_HEADER_BYTES is a gzip member's header without optional fields (FLG 0), as node:zlib writes it (RFC 1952). */
const GZIP_HEADER_BYTES = 10;
/** GZIP_TRAILER_BYTES is a member's CRC-32 and length, after its deflate data. */
const GZIP_TRAILER_BYTES = 8;
const DEFLATE = 8;

/**
 * MAX_PIECE_BYTES bounds what one gzip member may decompress to. A member
 * holds a part of notes: at most 1,000 notes (PART_SEQS) of at most 64 KiB of
 * text, under 400 MiB as JSON even with every byte escaped. Past it, the bytes
 * are not a snapshot this program wrote (a gzip bomb decompresses a thousand
 * times over), and they are refused before they fill the memory.
 */
export const MAX_PIECE_BYTES = 512 * 1024 * 1024;

/**
 * unpackSnapshot is the document image in snapshot bytes, in pieces: each
 * gzip member of packed bytes decompressed on its own when its piece is asked
 * for (SnapshotPacker writes one per part of notes), so that a big notebook's
 * image (44 MB at 200,000 notes) is never in memory whole; an older plain
 * image is one piece, as it is. A member cut short, whose CRC-32 or length
 * does not match what it holds, or that decompresses to more than
 * `maxPieceBytes`, throws.
 */
export function* unpackSnapshot(data: Uint8Array, maxPieceBytes = MAX_PIECE_BYTES): Generator<Uint8Array> {
  if (data[0] !== GZIP_MAGIC[0] || data[1] !== GZIP_MAGIC[1]) {
    yield data;
    return;
  }
  let at = 0;
  while (at < data.length) {
    if (data[at] !== GZIP_MAGIC[0] || data[at + 1] !== GZIP_MAGIC[1] || data[at + 2] !== DEFLATE) {
      throw new RangeError(`snapshot has no gzip member at byte ${at}`);
    }
    if (data[at + 3] !== 0) {
      // Optional header fields, which node:zlib does not write: the rest is decompressed as one piece, under the same bound.
      yield new Uint8Array(bounded(at, maxPieceBytes, () => gunzipSync(data.subarray(at), { maxOutputLength: maxPieceBytes })));
      return;
    }
    // Raw inflate stops at the end of the member's deflate data and tells how much of it there was.
    const { buffer, engine } = bounded(at, maxPieceBytes,
      () => inflateRawSync(data.subarray(at + GZIP_HEADER_BYTES), { info: true, maxOutputLength: maxPieceBytes }) as unknown as InflateInfo);
    const trailer = at + GZIP_HEADER_BYTES + engine.bytesWritten;
    if (trailer + GZIP_TRAILER_BYTES > data.length) throw new RangeError(`snapshot ends inside its gzip member at byte ${at}`);
    const stored = new DataView(data.buffer, data.byteOffset + trailer, GZIP_TRAILER_BYTES);
    if (stored.getUint32(0, true) !== crc32(buffer) || stored.getUint32(4, true) !== buffer.byteLength % 2 ** 32) {
      throw new RangeError(`snapshot's gzip member at byte ${at} is damaged: its CRC-32 or length does not match what it holds`);
    }
    yield new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    at = trailer + GZIP_TRAILER_BYTES;
  }
}

/** bounded runs a decompression of the member at byte `at`, naming the snapshot when it outgrows `maxBytes`. */
function bounded<T>(at: number, maxBytes: number, decompress: () => T): T {
  try {
    return decompress();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
    throw new RangeError(`snapshot's gzip member at byte ${at} decompresses to more than ${maxBytes} bytes, more than a part of a notebook holds: these bytes are not a Raftnotes snapshot`);
  }
}

/** InflateInfo is what a zlib sync call with `info: true` returns: the output and the engine, whose bytesWritten is the input it consumed. */
interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

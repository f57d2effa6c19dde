// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 in plain
// TypeScript.
//
// Written here rather than taken from npm because measurement showed the
// packages are the bottleneck or a native addon (MB/s on this machine's
// Node 22.23, one core; record size first):
//
//   bytes      @aws-crypto/crc32c  @node-rs/crc32 (native)  hash-wasm  polycrc  this file
//   64                 37                 228                  233        300       954
//   256                54                 949                  521        329      1076
//   1024               57                2723                 1324        336      1094
//   4 MiB              54                4813                 1562        332       982
//
// WAL records are mostly 30-300 bytes, where this file is the fastest of all,
// and ~1 GB/s is far above what the disk accepts. The native package is
// faster only for large buffers and would need a prebuilt binary per platform
// and Electron ABI.

const POLY = 0x82f63b78;

/** TABLE holds 8 lookup tables of 256 entries: TABLE[k*256+b] is the CRC of byte b followed by k zero bytes. */
const TABLE = buildTable();

function buildTable(): Int32Array {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/**
 * crc32c returns the CRC-32C of `buf[start, end)`. Pass the previous result as
 * `seed` to continue a checksum over several buffers.
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, seed = 0): number {
  const t = TABLE;
  let crc = ~seed;
  let i = start;
  const end8 = end - ((end - start) & 7);
  for (; i < end8; i += 8) {
    const a = (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) ^ crc;
    const b = buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
    crc =
      t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^
      t[768 + (b & 0xff)] ^ t[512 + ((b >>> 8) & 0xff)] ^ t[256 + ((b >>> 16) & 0xff)] ^ t[b >>> 24];
  }
  for (; i < end; i++) crc = t[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

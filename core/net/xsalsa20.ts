// XSalsa20 as one stream across calls, for the libp2p private network (pnet)
// protector (private-network.ts): update() XORs each chunk, of any length, with
// the key stream of (nonce, key) from where the last call stopped. The cipher is
// @noble/ciphers' xsalsa20 (audited), a function of (key, nonce, data, block
// counter) that keeps no state; this class keeps the position in the stream.
//
// Each call of noble's xsalsa20 has a fixed cost besides the blocks it
// computes (it derives the subkey and makes several typed-array views), which
// outweighs the blocks of a short chunk. So key stream is made KEY_STREAM_BYTES
// at a time and used up by the chunks that follow; a chunk at least that long
// goes through noble in place, all its whole blocks at once. Throughput against
// the hand-written cipher this replaced: bench/results/cipher.md.
//
// Why not @libp2p/pnet's cipher: the `xsalsa20` package it uses (1.2.0) shares
// one WebAssembly memory between all its instances and keeps views that go
// stale when that memory grows: after one write larger than the memory, every
// switch between two instances grows it by a page, until growing fails and the
// exception, thrown in an event listener, ends the process (reproduced: a 4 MiB
// message, then about 1,000 small ones). Upstream: libp2p/js-libp2p#3585 xors in
// bounded chunks; @libp2p/pnet 3.0.27, installed here, does not have it.
import { xsalsa20 } from '@noble/ciphers/salsa.js';
import { KeyStreamExhaustedError } from './errors.ts';

/** BLOCK_BYTES is the length of one key stream block. */
const BLOCK_BYTES = 64;

/** KEY_STREAM_BYTES is how much key stream is made at a time for chunks shorter than that (64 blocks). */
export const KEY_STREAM_BYTES = 4096;

/**
 * MAX_BLOCKS is the length of the key stream in blocks (256 GiB): noble's block
 * counter is 32 bits, and it refuses the last value rather than wrap.
 */
export const MAX_BLOCKS = 2 ** 32 - 1;

const ZEROS = new Uint8Array(KEY_STREAM_BYTES);

/** XSalsa20 is one direction of an XSalsa20 key stream; update() continues where the last call stopped. */
export class XSalsa20 {
  private readonly key: Uint8Array;
  private readonly nonce: Uint8Array;
  // Invariant: nextBlock is the counter of the first block not yet made; nextBlock <= MAX_BLOCKS.
  private nextBlock = 0;
  // Invariant: keyStream holds the blocks before nextBlock; keyStream[used..] is not yet used.
  private readonly keyStream = new Uint8Array(KEY_STREAM_BYTES);
  private readonly keyWords = new Uint32Array(this.keyStream.buffer);
  // Invariant: 0 <= used <= KEY_STREAM_BYTES.
  private used = KEY_STREAM_BYTES;

  constructor(nonce: Uint8Array, key: Uint8Array) {
    if (nonce.byteLength !== 24) throw new RangeError('XSalsa20 nonce must be 24 bytes');
    if (key.byteLength !== 32) throw new RangeError('XSalsa20 key must be 32 bytes');
    this.nonce = Uint8Array.from(nonce);
    this.key = Uint8Array.from(key);
  }

  /** update returns `input` XORed with the next input.byteLength bytes of the key stream. */
  update(input: Uint8Array): Uint8Array {
    const n = input.byteLength;
    // Place the output so that its byte i and key stream byte used + i share
    // their offset within a word: the XOR then goes a word at a time.
    const pad = this.used % 4;
    const out = new Uint8Array(new ArrayBuffer(n + pad), pad, n);
    out.set(input);
    let i = this.xorKeyStream(out, 0);
    if (n - i >= KEY_STREAM_BYTES) {
      // The made key stream is used up (used === KEY_STREAM_BYTES), so out[i] starts a word.
      const blocks = Math.floor((n - i) / BLOCK_BYTES);
      if (this.nextBlock + blocks > MAX_BLOCKS) throw new KeyStreamExhaustedError();
      const whole = out.subarray(i, i + blocks * BLOCK_BYTES);
      xsalsa20(this.key, this.nonce, whole, whole, this.nextBlock);
      this.nextBlock += blocks;
      i += whole.byteLength;
    }
    while (i < n) {
      this.makeKeyStream();
      i = this.xorKeyStream(out, i);
    }
    return out;
  }

  /** xorKeyStream XORs out[from..] with the unused key stream, as far as either goes, and returns where it stopped in `out`. */
  private xorKeyStream(out: Uint8Array, from: number): number {
    const take = Math.min(out.byteLength - from, KEY_STREAM_BYTES - this.used);
    const ks = this.keyStream;
    let j = 0;
    for (; j < take && (this.used + j) % 4 !== 0; j++) out[from + j]! ^= ks[this.used + j]!;
    const words = (take - j) >>> 2;
    if (words > 0) {
      const o32 = new Uint32Array(out.buffer, out.byteOffset + from + j, words);
      const k32 = this.keyWords;
      const base = (this.used + j) >>> 2;
      for (let w = 0; w < words; w++) o32[w]! ^= k32[base + w]!;
      j += words * 4;
    }
    for (; j < take; j++) out[from + j]! ^= ks[this.used + j]!;
    this.used += take;
    return from + take;
  }

  /** makeKeyStream fills keyStream with the next KEY_STREAM_BYTES of key stream. */
  private makeKeyStream(): void {
    const blocks = KEY_STREAM_BYTES / BLOCK_BYTES;
    if (this.nextBlock + blocks > MAX_BLOCKS) throw new KeyStreamExhaustedError();
    xsalsa20(this.key, this.nonce, ZEROS, this.keyStream, this.nextBlock);
    this.nextBlock += blocks;
    this.used = 0;
  }
}

// XSalsa20, the stream cipher of the libp2p private network (pnet) protocol:
// Salsa20/20 with a 24-byte nonce, whose first 16 bytes derive a subkey
// through HSalsa20 (D. J. Bernstein, "Extending the Salsa20 nonce", 2011).
//
// Written here because the `xsalsa20` package that @libp2p/pnet 3 uses shares
// one WebAssembly memory between all its instances and keeps views that go
// stale when that memory grows: after one write larger than the memory, every
// switch between two instances grows it by a page, until growing fails and the
// exception, thrown in an event listener, ends the process (measured: a 4 MiB
// message, then about 1,000 small ones).

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** salsaCore runs 20 rounds on `input` into `out`; with `addInput` it is the Salsa20 block, without it HSalsa20's core. */
function salsaCore(out: Uint32Array, input: Uint32Array, addInput: boolean): void {
  let x0 = input[0]!, x1 = input[1]!, x2 = input[2]!, x3 = input[3]!, x4 = input[4]!, x5 = input[5]!, x6 = input[6]!, x7 = input[7]!;
  let x8 = input[8]!, x9 = input[9]!, x10 = input[10]!, x11 = input[11]!, x12 = input[12]!, x13 = input[13]!, x14 = input[14]!, x15 = input[15]!;
  let u: number;
  for (let i = 0; i < 20; i += 2) {
    u = (x0 + x12) | 0; x4 ^= (u << 7) | (u >>> 25);
    u = (x4 + x0) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0; x12 ^= (u << 13) | (u >>> 19);
    u = (x12 + x8) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0; x9 ^= (u << 7) | (u >>> 25);
    u = (x9 + x5) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0; x1 ^= (u << 13) | (u >>> 19);
    u = (x1 + x13) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0; x14 ^= (u << 7) | (u >>> 25);
    u = (x14 + x10) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0; x6 ^= (u << 13) | (u >>> 19);
    u = (x6 + x2) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0; x3 ^= (u << 7) | (u >>> 25);
    u = (x3 + x15) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0; x11 ^= (u << 13) | (u >>> 19);
    u = (x11 + x7) | 0; x15 ^= (u << 18) | (u >>> 14);
    u = (x0 + x3) | 0; x1 ^= (u << 7) | (u >>> 25);
    u = (x1 + x0) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0; x3 ^= (u << 13) | (u >>> 19);
    u = (x3 + x2) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0; x6 ^= (u << 7) | (u >>> 25);
    u = (x6 + x5) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0; x4 ^= (u << 13) | (u >>> 19);
    u = (x4 + x7) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0; x11 ^= (u << 7) | (u >>> 25);
    u = (x11 + x10) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0; x9 ^= (u << 13) | (u >>> 19);
    u = (x9 + x8) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0; x12 ^= (u << 7) | (u >>> 25);
    u = (x12 + x15) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0; x14 ^= (u << 13) | (u >>> 19);
    u = (x14 + x13) | 0; x15 ^= (u << 18) | (u >>> 14);
  }
  if (addInput) {
    x0 = (x0 + input[0]!) | 0; x1 = (x1 + input[1]!) | 0; x2 = (x2 + input[2]!) | 0; x3 = (x3 + input[3]!) | 0;
    x4 = (x4 + input[4]!) | 0; x5 = (x5 + input[5]!) | 0; x6 = (x6 + input[6]!) | 0; x7 = (x7 + input[7]!) | 0;
    x8 = (x8 + input[8]!) | 0; x9 = (x9 + input[9]!) | 0; x10 = (x10 + input[10]!) | 0; x11 = (x11 + input[11]!) | 0;
    x12 = (x12 + input[12]!) | 0; x13 = (x13 + input[13]!) | 0; x14 = (x14 + input[14]!) | 0; x15 = (x15 + input[15]!) | 0;
  }
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3; out[4] = x4; out[5] = x5; out[6] = x6; out[7] = x7;
  out[8] = x8; out[9] = x9; out[10] = x10; out[11] = x11; out[12] = x12; out[13] = x13; out[14] = x14; out[15] = x15;
}

/** XSalsa20 is one direction of an XSalsa20 key stream; update() continues where the last call stopped. */
export class XSalsa20 {
  // Salsa20 input block: constants, subkey, nonce[16..24], 64-bit block counter.
  private readonly state = new Uint32Array(16);
  private readonly block = new Uint32Array(16);
  private readonly keystream = new Uint8Array(this.block.buffer);
  // Invariant: 0 <= used <= 64; keystream[used..64] is not yet consumed.
  private used = 64;

  constructor(nonce: Uint8Array, key: Uint8Array) {
    if (nonce.byteLength !== 24) throw new RangeError('XSalsa20 nonce must be 24 bytes');
    if (key.byteLength !== 32) throw new RangeError('XSalsa20 key must be 32 bytes');
    const h = new Uint32Array(16);
    h[0] = SIGMA[0]!; h[5] = SIGMA[1]!; h[10] = SIGMA[2]!; h[15] = SIGMA[3]!;
    for (let i = 0; i < 4; i++) {
      h[1 + i] = u32(key, 4 * i);
      h[11 + i] = u32(key, 16 + 4 * i);
      h[6 + i] = u32(nonce, 4 * i);
    }
    const z = new Uint32Array(16);
    salsaCore(z, h, false);
    const s = this.state;
    s[0] = SIGMA[0]!; s[5] = SIGMA[1]!; s[10] = SIGMA[2]!; s[15] = SIGMA[3]!;
    // HSalsa20 output words 0, 5, 10, 15, 6, 7, 8, 9 are the subkey.
    s[1] = z[0]!; s[2] = z[5]!; s[3] = z[10]!; s[4] = z[15]!;
    s[11] = z[6]!; s[12] = z[7]!; s[13] = z[8]!; s[14] = z[9]!;
    s[6] = u32(nonce, 16);
    s[7] = u32(nonce, 20);
    s[8] = 0;
    s[9] = 0;
  }

  /** update returns `input` XORed with the next input.byteLength bytes of the key stream. */
  update(input: Uint8Array): Uint8Array {
    const n = input.byteLength;
    // The first whole key stream block starts at `first`; place the output so
    // that it falls on a 4-byte boundary, to XOR whole blocks a word at a time.
    const first = Math.min(n, (64 - this.used) % 64);
    const pad = (4 - (first % 4)) % 4;
    const out = new Uint8Array(new ArrayBuffer(n + pad), pad, n);
    out.set(input);
    const ks = this.keystream;
    let i = 0;
    while (i < first) out[i++]! ^= ks[this.used++]!;
    if (LITTLE_ENDIAN && n - i >= 64) {
      // The key stream's words are little-endian, as this machine's.
      const words = new Uint32Array(out.buffer, pad + i, (n - i) >>> 2);
      const b = this.block;
      for (let w = 0; i + 64 <= n; i += 64, w += 16) {
        this.next();
        for (let k = 0; k < 16; k++) words[w + k]! ^= b[k]!;
        this.used = 64;
      }
    }
    while (i < n) {
      if (this.used === 64) this.next();
      out[i++]! ^= ks[this.used++]!;
    }
    return out;
  }

  /** next computes the next key stream block into `block` and advances the counter. */
  private next(): void {
    const s = this.state;
    salsaCore(this.block, s, true);
    s[8] = (s[8]! + 1) >>> 0;
    if (s[8] === 0) s[9] = (s[9]! + 1) >>> 0;
    this.used = 0;
  }
}

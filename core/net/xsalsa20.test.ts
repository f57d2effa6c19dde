import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyStreamExhaustedError } from './errors.ts';
import { KEY_STREAM_BYTES, MAX_BLOCKS, XSalsa20 } from './xsalsa20.ts';

// The reference, an independent implementation: the `xsalsa20` package that
// @libp2p/pnet uses (WebAssembly; correct while one instance is in use).
const require = createRequire(import.meta.url);
const Reference = require('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => { update(input: Uint8Array): Uint8Array };

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replaceAll(' ', ''), 'hex'));

describe('XSalsa20', () => {
  it('produces the same stream as the xsalsa20 package, however the input is split and aligned', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 24, maxLength: 24 }),
      fc.uint8Array({ maxLength: 3 * KEY_STREAM_BYTES }),
      fc.array(fc.oneof(fc.nat(300), fc.integer({ min: KEY_STREAM_BYTES - 70, max: 2 * KEY_STREAM_BYTES + 70 })), { maxLength: 12 }),
      fc.nat(3),
      (key, nonce, data, cuts, shift) => {
        const ours = new XSalsa20(nonce, key);
        const theirs = Reference(nonce, key);
        const buf = new Uint8Array(data.byteLength + shift);
        buf.set(data, shift);
        let at = shift;
        for (const len of [...cuts, buf.byteLength]) {
          const piece = buf.subarray(at, Math.min(buf.byteLength, at + len));
          expect(ours.update(piece)).toEqual(theirs.update(piece));
          at += piece.byteLength;
          if (at >= buf.byteLength) break;
        }
      },
    ), { seed: 11, numRuns: 300 });
  });

  it('gives the key stream of NaCl\'s crypto_stream test (tests/stream.c), in uneven pieces', () => {
    const key = hex('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
    const nonce = hex('69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37');
    const cipher = new XSalsa20(nonce, key);
    const hash = createHash('sha256');
    const zeros = new Uint8Array(100_003);
    for (let left = 4_194_304, i = 0; left > 0; i++) {
      const n = Math.min(left, [1, 63, 4_095, 100_003, 4_097][i % 5]!);
      hash.update(cipher.update(zeros.subarray(0, n)));
      left -= n;
    }
    expect(hash.digest('hex')).toBe('662b9d0e3463029156069b12f918691a98f7dfb2ca0393c96bbfc6b1fbd630a2');
  });

  it('decrypts what it encrypts', () => {
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(9);
    const text = new TextEncoder().encode('the quick brown fox '.repeat(50));
    const sealed = new XSalsa20(nonce, key).update(text);
    expect(sealed).not.toEqual(text);
    expect(new XSalsa20(nonce, key).update(sealed)).toEqual(text);
  });

  it('keeps working when many instances alternate after a large update', () => {
    const a = new XSalsa20(new Uint8Array(24), new Uint8Array(32));
    const b = new XSalsa20(new Uint8Array(24).fill(1), new Uint8Array(32));
    const ref = Reference(new Uint8Array(24), new Uint8Array(32));
    const big = new Uint8Array(8 * 1024 * 1024);
    expect(Buffer.from(a.update(big)).equals(ref.update(big))).toBe(true);
    for (let i = 0; i < 5000; i++) (i % 2 === 0 ? a : b).update(new Uint8Array(100));
    const small = new Uint8Array(100).fill(42);
    const c = new XSalsa20(new Uint8Array(24), new Uint8Array(32));
    c.update(big);
    for (let i = 0; i < 2500; i++) c.update(new Uint8Array(100));
    expect(a.update(small)).toEqual(c.update(small));
  });

  it('refuses to go past the end of its key stream instead of repeating it', () => {
    const cipher = new XSalsa20(new Uint8Array(24), new Uint8Array(32));
    (cipher as unknown as { nextBlock: number }).nextBlock = MAX_BLOCKS - KEY_STREAM_BYTES / 64 - 1;
    expect(cipher.update(new Uint8Array(KEY_STREAM_BYTES)).byteLength).toBe(KEY_STREAM_BYTES);
    expect(() => cipher.update(new Uint8Array(KEY_STREAM_BYTES))).toThrow(KeyStreamExhaustedError);
  });

  it('refuses a key or nonce of the wrong length', () => {
    expect(() => new XSalsa20(new Uint8Array(23), new Uint8Array(32))).toThrow(RangeError);
    expect(() => new XSalsa20(new Uint8Array(24), new Uint8Array(31))).toThrow(RangeError);
  });
});

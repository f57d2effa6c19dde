import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XSalsa20 } from './xsalsa20.ts';

// The reference: the `xsalsa20` package that @libp2p/pnet uses (correct while one instance is in use).
const require = createRequire(import.meta.url);
const Reference = require('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => { update(input: Uint8Array): Uint8Array };

describe('XSalsa20', () => {
  it('produces the same stream as the xsalsa20 package, however the input is split and aligned', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 24, maxLength: 24 }),
      fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(300), { maxLength: 12 }), fc.nat(3),
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
    expect(a.update(new Uint8Array(8 * 1024 * 1024)).byteLength).toBe(8 * 1024 * 1024);
    for (let i = 0; i < 5000; i++) (i % 2 === 0 ? a : b).update(new Uint8Array(100));
  });

  it('refuses a key or nonce of the wrong length', () => {
    expect(() => new XSalsa20(new Uint8Array(23), new Uint8Array(32))).toThrow(RangeError);
    expect(() => new XSalsa20(new Uint8Array(24), new Uint8Array(31))).toThrow(RangeError);
  });
});

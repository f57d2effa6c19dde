import { LengthPrefixedDecoder } from '@libp2p/utils';
import { Uint8ArrayList } from 'uint8arraylist';
import { describe, expect, it } from 'vitest';
import { installLengthPrefixFastPath } from './length-prefix-fast-path.ts';
import { upstreamMethod } from './prototype-patch.ts';

const UPSTREAM_CHANGED = 'upstream changed: review core/net/patches/length-prefix-fast-path.ts, the patch may be obsolete';

describe('Length prefix fast path', () => {
  installLengthPrefixFastPath();

  it('decodes messages split and joined across chunks as before, without asking for a length it cannot read', () => {
    let asked = 0;
    const decoder = new LengthPrefixedDecoder({
      lengthDecoder: (data) => {
        asked++;
        if (data.byteLength < 1) throw new RangeError('empty'); // what every decoder does
        return data instanceof Uint8Array ? data[0]! : data.get(0);
      },
      encodingLength: () => 1,
    });
    const out: number[][] = [];
    const push = (...bytes: number[]) => { for (const m of decoder.decode(Uint8Array.from(bytes))) out.push([...m.subarray()]); };
    push(2, 7, 8, 1); // one whole message, then the start of the next
    push(9, 3, 1); // its end, then a partial one
    push(2, 3);
    expect(out).toEqual([[7, 8], [9], [1, 2, 3]]);
    expect(asked).toBe(5); // once per message, and once per chunk ending in a partial one; never on an empty buffer
  });

  it('still lets a decoder refuse a bad length', () => {
    const decoder = new LengthPrefixedDecoder({ lengthDecoder: () => { throw new TypeError('bad'); }, encodingLength: () => 1 });
    expect(() => [...decoder.decode(new Uint8ArrayList(Uint8Array.of(1)))]).toThrow(TypeError);
  });
});

describe('@libp2p/utils LengthPrefixedDecoder as published', () => {
  it('still asks its length decoder for a length in an empty buffer, which throws a new RangeError each time', () => {
    const decoder = new LengthPrefixedDecoder(); // varint lengths; Noise's 2-byte lengths fail the same way (a new RangeError)
    Object.defineProperty(decoder, 'decode', { value: upstreamMethod(LengthPrefixedDecoder.prototype, 'decode') });
    const internals = decoder as unknown as { lengthDecoder: (data: Uint8ArrayList) => number };
    const lengthDecoder = internals.lengthDecoder;
    const thrown: Array<{ bytes: number; err: unknown }> = [];
    internals.lengthDecoder = (data) => {
      try {
        return lengthDecoder(data);
      } catch (err) {
        thrown.push({ bytes: data.byteLength, err });
        throw err;
      }
    };
    const got: number[][] = [];
    for (const chunk of [Uint8Array.of(2, 7, 8), Uint8Array.of(1, 9)]) { // each chunk one whole message
      for (const m of decoder.decode(chunk)) got.push([...m.subarray()]);
    }
    expect(got).toEqual([[7, 8], [9]]);
    expect(thrown.map((t) => t.bytes), UPSTREAM_CHANGED).toEqual([0, 0]);
    expect(thrown.map((t) => t.err instanceof RangeError && typeof t.err.stack === 'string'), UPSTREAM_CHANGED).toEqual([true, true]);
    expect(thrown[0]!.err !== thrown[1]!.err, `${UPSTREAM_CHANGED} (the empty read no longer makes a new Error)`).toBe(true);
  });
});

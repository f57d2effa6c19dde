import { LengthPrefixedDecoder } from '@libp2p/utils';
import { Uint8ArrayList } from 'uint8arraylist';
import { describe, expect, it } from 'vitest';
import { installLengthPrefixFastPath } from './length-prefix-fast-path.ts';

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

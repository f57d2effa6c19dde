// Patch of @libp2p/utils, written against version 7.4.1.
// Upstream: no upstream issue found as of 2026-12 against @libp2p/utils; the
// behaviour is in src/length-prefixed-decoder.ts:LengthPrefixedDecoder.decode.
// The same defect in the older mplex decoder was reported as
// ChainSafe/lodestar#3467 and fixed by libp2p/js-libp2p-mplex#125 (2021: do not
// call varint.decode() on an empty buffer); LengthPrefixedDecoder has no such check.
//
// A cheaper "need more bytes" for @libp2p/utils' LengthPrefixedDecoder, which
// Noise (every encrypted chunk of every connection) and our raft frame reader
// use. After the last whole message of a chunk it asks its length decoder for
// the next length, and the decoder throws a RangeError to say there is none
// yet: one new Error, with its stack trace captured, per chunk received. What
// that cost on idle peers is in bench/results/patches.md.
//
// This wraps each decoder's length decoder so that an empty buffer, where no
// length can be read, throws one RangeError made once instead. The decoder
// catches any RangeError the same way, so its behaviour is unchanged.
import { LengthPrefixedDecoder } from '@libp2p/utils';
import type { Uint8ArrayList } from 'uint8arraylist';
import { patchMethod } from './prototype-patch.ts';

/** The fields of LengthPrefixedDecoder this patch wraps (private in its typings). */
interface DecoderInternals {
  lengthDecoder: (data: Uint8ArrayList) => number;
}

type Decode = (this: DecoderInternals, buf: Uint8Array | Uint8ArrayList) => Generator<Uint8ArrayList, void, unknown>;

/** NEED_MORE_BYTES is thrown for an empty buffer: made once, so throwing it captures no stack. */
const NEED_MORE_BYTES = new RangeError('need more bytes for the length prefix');

const wrapped = new WeakSet<object>();

/** installLengthPrefixFastPath makes every LengthPrefixedDecoder of this process skip the new Error on an empty buffer. Idempotent. */
export function installLengthPrefixFastPath(): void {
  patchMethod<Decode>({
    proto: LengthPrefixedDecoder.prototype,
    method: 'decode',
    owner: '@libp2p/utils LengthPrefixedDecoder.decode',
    file: 'core/net/patches/length-prefix-fast-path.ts',
  }, (upstream) => function decode(this: DecoderInternals, buf: Uint8Array | Uint8ArrayList) {
    if (!wrapped.has(this) && typeof this.lengthDecoder === 'function') {
      const lengthDecoder = this.lengthDecoder;
      this.lengthDecoder = (data: Uint8ArrayList): number => {
        if (data.byteLength === 0) throw NEED_MORE_BYTES;
        return lengthDecoder(data);
      };
      wrapped.add(this);
    }
    return upstream.call(this, buf);
  });
}

// A cheaper "need more bytes" for @libp2p/utils' LengthPrefixedDecoder, which
// Noise (every encrypted chunk of every connection) and our raft frame reader
// use. After the last whole message of a chunk it asks its length decoder for
// the next length, and the decoder throws a RangeError to say there is none
// yet: one new Error, with its stack trace captured, per chunk received.
// Measured on idle peers (heartbeats only), those throws were 5-7% of the CPU.
//
// This wraps each decoder's length decoder so that an empty buffer, where no
// length can be read, throws one RangeError made once instead. The decoder
// catches any RangeError the same way, so its behaviour is unchanged.
import { LengthPrefixedDecoder } from '@libp2p/utils';
import type { Uint8ArrayList } from 'uint8arraylist';

/** The fields of LengthPrefixedDecoder this patch wraps (private in its typings). */
interface DecoderInternals {
  lengthDecoder: (data: Uint8ArrayList) => number;
  decode(buf: Uint8Array | Uint8ArrayList): Generator<Uint8ArrayList, void, unknown>;
}

/** NEED_MORE_BYTES is thrown for an empty buffer: made once, so throwing it captures no stack. */
const NEED_MORE_BYTES = new RangeError('need more bytes for the length prefix');

const wrapped = new WeakSet<object>();
let installed = false;

/** installLengthPrefixFastPath makes every LengthPrefixedDecoder of this process skip the new Error on an empty buffer. Idempotent. */
export function installLengthPrefixFastPath(): void {
  if (installed) return;
  const proto = LengthPrefixedDecoder.prototype as unknown as DecoderInternals;
  const decode = proto.decode;
  if (typeof decode !== 'function') throw new Error('@libp2p/utils changed: LengthPrefixedDecoder.decode is gone; review core/net/length-prefix-fast-path.ts');
  installed = true;
  proto.decode = function patchedDecode(this: DecoderInternals, buf: Uint8Array | Uint8ArrayList) {
    if (!wrapped.has(this) && typeof this.lengthDecoder === 'function') {
      const lengthDecoder = this.lengthDecoder;
      this.lengthDecoder = (data: Uint8ArrayList): number => {
        if (data.byteLength === 0) throw NEED_MORE_BYTES;
        return lengthDecoder(data);
      };
      wrapped.add(this);
    }
    return decode.call(this, buf);
  };
}

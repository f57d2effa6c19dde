import { YamuxStream } from '@chainsafe/libp2p-yamux/stream';
import { LengthPrefixedDecoder } from '@libp2p/utils';
import { describe, expect, it } from 'vitest';
import { installPatches, isPatched } from './index.ts';

describe('installPatches', () => {
  it('patches yamux and the length-prefixed decoder, once however often it is called', () => {
    installPatches();
    const yamux = (YamuxStream.prototype as unknown as Record<string, unknown>).sendWindowUpdate;
    const decode = (LengthPrefixedDecoder.prototype as unknown as Record<string, unknown>).decode;
    installPatches();
    expect(isPatched(YamuxStream.prototype, 'sendWindowUpdate')).toBe(true);
    expect(isPatched(LengthPrefixedDecoder.prototype, 'decode')).toBe(true);
    expect((YamuxStream.prototype as unknown as Record<string, unknown>).sendWindowUpdate).toBe(yamux);
    expect((LengthPrefixedDecoder.prototype as unknown as Record<string, unknown>).decode).toBe(decode);
  });
});

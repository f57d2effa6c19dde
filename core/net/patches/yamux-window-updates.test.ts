import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';
import { describe, expect, it } from 'vitest';
import { upstreamMethod } from './prototype-patch.ts';
import { installLazyWindowUpdates } from './yamux-window-updates.ts';

const WINDOW = 256 * 1024;
const UPSTREAM_CHANGED = 'upstream changed: review core/net/patches/yamux-window-updates.ts, the patch may be obsolete';

interface Header { type: number; flag: number; length: number }

/** A stream as the muxer makes it, recording the frames it sends. */
function stream(state: StreamState): { s: YamuxStream; sent: Header[] } {
  const sent: Header[] = [];
  const s = new YamuxStream({
    id: '1', streamId: 1, direction: 'inbound', state, log: Object.assign(() => {}, { trace: () => {}, error: () => {}, newScope: () => ({}) }) as never,
    sendFrame: (header: Header) => { sent.push(header); return true; },
    getRTT: () => -1, initialStreamWindowSize: WINDOW,
  } as never);
  return { s, sent };
}

/** receive hands the stream a data frame of `bytes` bytes, as the muxer does. */
function receive(s: YamuxStream, bytes: number): void {
  s.handleData({ header: { type: 0, flag: 0, streamID: 1, length: bytes, version: 0 }, data: new Uint8Array(bytes) } as never);
}

/** unpatched makes `s` use YamuxStream's own sendWindowUpdate, as published, whether or not the patch is installed. */
function unpatched(s: YamuxStream): YamuxStream {
  Object.defineProperty(s, 'sendWindowUpdate', { value: upstreamMethod(YamuxStream.prototype, 'sendWindowUpdate') });
  return s;
}

describe('Lazy yamux window updates', () => {
  installLazyWindowUpdates();

  it('sends no window update for small frames until half the receive window is used, then one for all of it', () => {
    const { s, sent } = stream(StreamState.Established);
    for (let i = 0; i < 127; i++) receive(s, 1024);
    expect(sent).toEqual([]);
    receive(s, 1024);
    expect(sent).toEqual([expect.objectContaining({ type: 1, flag: 0, length: 128 * 1024 })]);
    for (let i = 0; i < 127; i++) receive(s, 1024);
    expect(sent).toHaveLength(1);
  });

  it('still answers a new stream\'s first frame with an ACK at once', () => {
    const { s, sent } = stream(StreamState.SYNReceived);
    receive(s, 10);
    expect(sent).toEqual([expect.objectContaining({ type: 1, flag: 2, length: 10 })]);
  });

  it('is installed once however often it is installed', () => {
    const proto = YamuxStream.prototype as unknown as Record<string, unknown>;
    const patched = proto.sendWindowUpdate;
    installLazyWindowUpdates();
    expect(proto.sendWindowUpdate).toBe(patched);
    expect(patched).not.toBe(upstreamMethod(YamuxStream.prototype, 'sendWindowUpdate'));
  });
});

describe('@chainsafe/libp2p-yamux as published', () => {
  it('still sends a window update after every data frame', () => {
    const { s, sent } = stream(StreamState.Established);
    unpatched(s);
    for (let i = 0; i < 4; i++) receive(s, 1024);
    expect(sent.map((h) => `${h.type}/${h.flag}/${h.length}`), UPSTREAM_CHANGED).toEqual(['1/0/1024', '1/0/1024', '1/0/1024', '1/0/1024']);
  });

  it('still keeps the state and receive window fields the patch reads', () => {
    const { s } = stream(StreamState.Established);
    const fields = s as unknown as Record<string, unknown>;
    expect({ state: fields.state, recvWindow: fields.recvWindow, recvWindowCapacity: fields.recvWindowCapacity }, UPSTREAM_CHANGED)
      .toEqual({ state: StreamState.Established, recvWindow: WINDOW, recvWindowCapacity: WINDOW });
  });
});

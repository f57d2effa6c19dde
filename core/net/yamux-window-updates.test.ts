import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';
import { describe, expect, it } from 'vitest';
import { installLazyWindowUpdates } from './yamux-window-updates.ts';

const WINDOW = 256 * 1024;

/** A stream as the muxer makes it, recording the frames it sends. */
function stream(state: StreamState): { s: YamuxStream; sent: Array<{ type: number; flag: number; length: number }> } {
  const sent: Array<{ type: number; flag: number; length: number }> = [];
  const s = new YamuxStream({
    id: '1', streamId: 1, direction: 'inbound', state, log: Object.assign(() => {}, { trace: () => {}, error: () => {}, newScope: () => ({}) }) as never,
    sendFrame: (header: { type: number; flag: number; length: number }) => { sent.push(header); return true; },
    getRTT: () => -1, initialStreamWindowSize: WINDOW,
  } as never);
  return { s, sent };
}

/** receive hands the stream a data frame of `bytes` bytes, as the muxer does. */
function receive(s: YamuxStream, bytes: number): void {
  s.handleData({ header: { type: 0, flag: 0, streamID: 1, length: bytes, version: 0 }, data: new Uint8Array(bytes) } as never);
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
});

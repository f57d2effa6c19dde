// Patch of @chainsafe/libp2p-yamux, written against version 8.0.1.
// Upstream: no upstream issue found as of 2026-12; the behaviour is in
// src/stream.ts:YamuxStream.sendWindowUpdate, which handleData calls after every
// data frame. (rust-yamux made the same change: libp2p/rust-yamux#100, PR #109.)
//
// Yamux window updates only when half a receive window is used, as go-yamux
// and hashicorp/yamux send them. @chainsafe/libp2p-yamux sends one after every
// data frame it receives, and has no option to change that: a 12-byte frame
// through Noise, the private network cipher and a TCP write, for every frame
// a peer receives, heartbeats included. What that cost on bench:cluster is in
// bench/results/patches.md.
//
// A stream's sender may have up to one window of data unacknowledged, so
// sending the update at half a window still never stalls a sender that the
// reader keeps up with; a paused stream (backpressure) sends none, as before.
// The frames on the wire are unchanged, so peers patched or not work together.
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';
import { patchMethod } from './prototype-patch.ts';

/** The fields of YamuxStream this patch reads (private in its typings). */
interface YamuxStreamInternals {
  state: number;
  recvWindow: number;
  recvWindowCapacity: number;
}

/**
 * installLazyWindowUpdates makes every yamux stream of this process skip a
 * window update until at least half its receive window is used (or the update
 * carries a flag: SYN/ACK on open). Idempotent.
 */
export function installLazyWindowUpdates(): void {
  patchMethod<(this: YamuxStreamInternals) => void>({
    proto: YamuxStream.prototype,
    method: 'sendWindowUpdate',
    owner: '@chainsafe/libp2p-yamux YamuxStream.sendWindowUpdate',
    file: 'core/net/patches/yamux-window-updates.ts',
  }, (upstream) => function sendWindowUpdate(this: YamuxStreamInternals): void {
    // Only an established stream skips: while opening, the update carries the ACK flag; a paused
    // stream (state Paused) sends none anyway and the original keeps its bookkeeping.
    if (this.state === StreamState.Established && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) return;
    upstream.call(this);
  });
}

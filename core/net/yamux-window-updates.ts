// Yamux window updates only when half a receive window is used, as go-yamux
// and hashicorp/yamux send them. @chainsafe/libp2p-yamux 8 sends one after
// every data frame it receives, and has no option to change that: measured on
// bench:cluster (3 peers, 1 write in flight), those updates were half of the
// leader's socket writes, each a 12-byte frame through Noise, the private
// network cipher and a TCP write (about 11% of the leader's CPU, the same of
// an idle peer's, which answers 40 heartbeats a second).
//
// A stream's sender may have up to one window of data unacknowledged, so
// sending the update at half a window still never stalls a sender that the
// reader keeps up with; a paused stream (backpressure) sends none, as before.
// The frames on the wire are unchanged, so peers patched or not work together.
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';

/** The fields of YamuxStream this patch reads and writes (private in its typings). */
interface YamuxStreamInternals {
  state: number;
  recvWindow: number;
  recvWindowCapacity: number;
  sendWindowUpdate(): void;
}

let installed = false;

/**
 * installLazyWindowUpdates makes every yamux stream of this process skip a
 * window update until at least half its receive window is used (or the update
 * carries a flag: SYN/ACK on open). Idempotent.
 */
export function installLazyWindowUpdates(): void {
  if (installed) return;
  const proto = YamuxStream.prototype as unknown as YamuxStreamInternals;
  const original = proto.sendWindowUpdate;
  if (typeof original !== 'function') throw new Error('@chainsafe/libp2p-yamux changed: YamuxStream.sendWindowUpdate is gone; review core/net/yamux-window-updates.ts');
  installed = true;
  proto.sendWindowUpdate = function sendWindowUpdate(this: YamuxStreamInternals): void {
    // Only an established stream skips: while opening, the update carries the ACK flag; a paused
    // stream (state Paused) sends none anyway and the original keeps its bookkeeping.
    if (this.state === StreamState.Established && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) return;
    original.call(this);
  };
}

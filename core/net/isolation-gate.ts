// IsolationGate: the switch that cuts a peer off from all others, or from
// some (a cut: the demo's partitions into groups), for partition demos. While
// closed, the libp2p connection gater refuses every dial and every inbound
// connection; with a cut, those to and from the cut peers. The transport and
// the bootstrap dialer listen for 'change' to close streams and stop (or
// restart) redialing.
import { TypedEventEmitter } from '@libp2p/interface';
import type { ConnectionGater } from '@libp2p/interface';

/** IsolationGateEvents are the events of an IsolationGate. */
export interface IsolationGateEvents {
  /** The gate was closed (detail true: isolated) or opened (false), or the cut changed (detail: whether isolated). */
  change: CustomEvent<boolean>;
}

/** IsolationGate holds whether this peer is isolated. */
export class IsolationGate extends TypedEventEmitter<IsolationGateEvents> {
  private closed = false;
  /** The peers this one is cut off from, isolated or not. */
  private cutPeers: ReadonlySet<string> = new Set();

  /** isolated tells whether the peer is cut off now. */
  get isolated(): boolean {
    return this.closed;
  }

  /** cut is the peers this one is cut off from (besides all of them while isolated). */
  get cut(): ReadonlySet<string> {
    return this.cutPeers;
  }

  /** blocks tells whether this peer may not talk to `peerId` now: isolated, or cut off from it. */
  blocks(peerId: string): boolean {
    return this.closed || this.cutPeers.has(peerId);
  }

  /** setCut cuts this peer off from exactly `peers` (none: healed), and tells listeners when that changes it. */
  setCut(peers: Iterable<string>): void {
    const next = new Set(peers);
    if (next.size === this.cutPeers.size && [...next].every((p) => this.cutPeers.has(p))) return;
    this.cutPeers = next;
    this.safeDispatchEvent('change', { detail: this.closed });
  }

  /** set closes (true) or opens (false) the gate, and tells listeners when that changes it. */
  set(isolated: boolean): void {
    if (this.closed === isolated) return;
    this.closed = isolated;
    this.safeDispatchEvent('change', { detail: isolated });
  }

  /** connectionGater is the libp2p ConnectionGater that refuses everything while the gate is closed. */
  connectionGater(): ConnectionGater {
    const deny = (): boolean => this.closed;
    const denyPeer = (peerId: { toString(): string }): boolean => this.blocks(peerId.toString());
    return {
      denyDialPeer: denyPeer,
      denyDialMultiaddr: deny,
      denyInboundConnection: deny,
      denyOutboundConnection: denyPeer,
      denyInboundEncryptedConnection: denyPeer,
      denyOutboundEncryptedConnection: denyPeer,
      denyInboundUpgradedConnection: denyPeer,
      denyOutboundUpgradedConnection: denyPeer,
    };
  }
}

// IsolationGate: the switch that cuts a peer off from all others, for
// partition demos. While closed, the libp2p connection gater refuses every
// dial and every inbound connection; the transport and the bootstrap dialer
// listen for 'change' to close streams and stop (or restart) redialing.
import { TypedEventEmitter } from '@libp2p/interface';
import type { ConnectionGater } from '@libp2p/interface';

/** IsolationGateEvents are the events of an IsolationGate. */
export interface IsolationGateEvents {
  /** The gate was closed (detail true: isolated) or opened (false). */
  change: CustomEvent<boolean>;
}

/** IsolationGate holds whether this peer is isolated. */
export class IsolationGate extends TypedEventEmitter<IsolationGateEvents> {
  private closed = false;

  /** isolated tells whether the peer is cut off now. */
  get isolated(): boolean {
    return this.closed;
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
    return {
      denyDialPeer: deny,
      denyDialMultiaddr: deny,
      denyInboundConnection: deny,
      denyOutboundConnection: deny,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny,
      denyInboundUpgradedConnection: deny,
      denyOutboundUpgradedConnection: deny,
    };
  }
}

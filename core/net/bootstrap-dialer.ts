// BootstrapDialer: keeps a connection to each manually given peer address
// (`--peer <multiaddr>`, or the addresses of an invite), for LANs where mDNS
// cannot reach. It dials each address until connected, then redials with
// backoff whenever that peer disconnects, forever; it pauses while the peer
// is isolated and dials at once when it is reconnected.
import type { Libp2p, Logger, PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Multiaddr } from '@multiformats/multiaddr';
import { Backoff } from './backoff.ts';
import type { IsolationGate } from './isolation-gate.ts';

/** BootstrapDialerComponents are what a BootstrapDialer runs on. */
export interface BootstrapDialerComponents {
  libp2p: Libp2p;
  gate: IsolationGate;
  log: Logger;
}

interface Target {
  addr: Multiaddr;
  peerId: string | null;
  backoff: Backoff;
  timer: ReturnType<typeof setTimeout> | null;
  dialing: boolean;
}

/** BootstrapDialer holds connections to a fixed list of multiaddrs. */
export class BootstrapDialer {
  private readonly c: BootstrapDialerComponents;
  private readonly targets: Target[];
  private stopped = false;
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    for (const t of this.targets) if (t.peerId === id) this.schedule(t);
  };
  private readonly onGate = (evt: CustomEvent<boolean>): void => {
    for (const t of this.targets) {
      if (t.timer !== null) clearTimeout(t.timer);
      t.timer = null;
      t.backoff.reset();
      if (!evt.detail) void this.attempt(t);
    }
  };

  constructor(c: BootstrapDialerComponents, addrs: readonly string[], backoff = { minMs: 250, maxMs: 5000 }) {
    this.c = c;
    this.targets = addrs.map((a) => {
      const addr = multiaddr(a);
      const p2p = addr.getComponents().find((x) => x.name === 'p2p');
      return { addr, peerId: p2p?.value ?? null, backoff: new Backoff(backoff), timer: null, dialing: false };
    });
  }

  /** start dials every address. */
  start(): void {
    this.c.libp2p.addEventListener('peer:disconnect', this.onDisconnect);
    this.c.gate.addEventListener('change', this.onGate);
    for (const t of this.targets) void this.attempt(t);
  }

  /** stop cancels every pending redial. */
  stop(): void {
    this.stopped = true;
    this.c.libp2p.removeEventListener('peer:disconnect', this.onDisconnect);
    this.c.gate.removeEventListener('change', this.onGate);
    for (const t of this.targets) if (t.timer !== null) clearTimeout(t.timer);
  }

  private schedule(t: Target): void {
    if (this.stopped || this.c.gate.isolated || t.timer !== null || t.dialing) return;
    t.timer = setTimeout(() => {
      t.timer = null;
      void this.attempt(t);
    }, t.backoff.next());
  }

  private async attempt(t: Target): Promise<void> {
    if (this.stopped || this.c.gate.isolated || t.dialing) return;
    if (t.peerId !== null && this.c.libp2p.getConnections().some((c) => c.remotePeer.toString() === t.peerId)) return;
    t.dialing = true;
    try {
      const conn = await this.c.libp2p.dial(t.addr, { signal: AbortSignal.timeout(10_000) });
      t.peerId = conn.remotePeer.toString();
      t.backoff.reset();
    } catch (err) {
      this.c.log('bootstrap dial %a failed: %s', t.addr, (err as Error).message);
      t.dialing = false;
      this.schedule(t);
      return;
    }
    t.dialing = false;
  }
}

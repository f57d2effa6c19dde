// The libp2p configuration of a Raftnotes peer: TCP, the notebook's private network key,
// Noise, Yamux, identify, ping, optional mDNS, and the settings that the
// stream facts of docs/architecture.md, "Stream facts" call for.
import { createHash } from 'node:crypto';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import type { Libp2pOptions } from 'libp2p';
import type { IsolationGate } from './isolation-gate.ts';
import { lanDiscovery, type Discoverability } from './lan-discovery.ts';
import type { Notebook } from './notebook.ts';
import { privateNetwork } from './private-network.ts';
import { STREAM_INACTIVITY_TIMEOUT_MS } from './raft-inbound.ts';

/** MdnsOptions tunes LAN discovery. */
export interface MdnsOptions {
  /** Query interval in ms. Default 10 s. */
  interval?: number;
}

/** ConnectionMonitorOptions tunes the ping that finds dead connections. */
export interface ConnectionMonitorOptions {
  /** Default 10 s. */
  pingIntervalMs?: number;
  /** A connection whose ping takes longer is closed. Default 30 s, so a stalled event loop (a big snapshot) keeps its peers. */
  pingTimeoutMs?: number;
}

/** PeerConfigInit is what the libp2p options are built from. */
export interface PeerConfigInit {
  privateKey: PrivateKey;
  notebook: Notebook;
  /** Default ['/ip4/0.0.0.0/tcp/0']. */
  listen?: readonly string[];
  /** Default true. */
  mdns?: boolean | MdnsOptions;
  /** Whether this peer answers mDNS queries and announces itself (a newcomer keeps quiet until it is a member); default: always. */
  discoverability?: Discoverability;
  connectionMonitor?: ConnectionMonitorOptions;
}

/** DEFAULT_LISTEN is where a peer listens unless told otherwise: every IPv4 interface, a free port. */
export const DEFAULT_LISTEN: readonly string[] = ['/ip4/0.0.0.0/tcp/0'];

/** YAMUX_MAX_STREAM_WINDOW is the largest receive window of a stream (yamux's own maximum). */
const YAMUX_MAX_STREAM_WINDOW = 16 * 1024 * 1024;

/**
 * mdnsServiceTag is the mDNS service name of a notebook: derived from a hash
 * of its key, so peers find only peers of their own notebook and the name
 * reveals nothing of the key.
 */
export function mdnsServiceTag(nb: Notebook): string {
  const h = createHash('sha256').update('raftnotes mdns').update(nb.key).digest('hex');
  return `_rn${h.slice(0, 12)}._udp.local`;
}

/**
 * peerLibp2pOptions builds the createLibp2p options of a peer. It changes
 * nothing else: whoever creates a node from them calls installPatches() first
 * (createPeer does).
 */
export function peerLibp2pOptions(init: PeerConfigInit, gate: IsolationGate): Libp2pOptions {
  const monitor = init.connectionMonitor ?? {};
  const pingInterval = monitor.pingIntervalMs ?? 10_000;
  const pingTimeout = monitor.pingTimeoutMs ?? 30_000;
  // The monitor opens a new ping stream every interval even while one is still
  // waiting; past the ping service's stream limits (1 out, 2 in by default) the
  // new stream fails and the monitor aborts the connection, so a stall longer
  // than one interval would drop peers whatever the timeout. Allow every ping
  // that can be pending within one timeout, and more from peers that ping often.
  const pingStreams = Math.ceil(pingTimeout / pingInterval) + 2;
  const pingInbound = Math.max(32, pingStreams);
  const mdnsInit = init.mdns ?? true;
  return {
    privateKey: init.privateKey,
    addresses: { listen: [...(init.listen ?? DEFAULT_LISTEN)] },
    transports: [tcp()],
    // pnet with the notebook key, by our own protector (private-network.ts): @libp2p/pnet's cipher breaks after large writes.
    connectionProtector: privateNetwork({ key: init.notebook.key }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({
      streamOptions: {
        // Idle raft streams must stay open: a follower may not write to another for hours.
        inactivityTimeout: STREAM_INACTIVITY_TIMEOUT_MS,
        // A paused stream buffers up to one receive window; more would reset it.
        maxReadBufferLength: YAMUX_MAX_STREAM_WINDOW + 4 * 1024 * 1024,
      },
    })],
    // mDNS that announces this peer once it listens, and keeps a newcomer quiet until it is a member (lan-discovery.ts).
    peerDiscovery: mdnsInit === false ? [] : [lanDiscovery({
      serviceTag: mdnsServiceTag(init.notebook),
      ...(init.discoverability !== undefined ? { discoverability: init.discoverability } : {}),
      ...(typeof mdnsInit === 'object' && mdnsInit.interval !== undefined ? { interval: mdnsInit.interval } : {}),
    })],
    services: { identify: identify(), ping: ping({ maxInboundStreams: pingInbound, maxOutboundStreams: pingStreams }) },
    connectionGater: gate.connectionGater(),
    connectionMonitor: {
      pingInterval,
      // The default adaptive timeout can fall to 5 s: a snapshot that stalls the
      // event loop longer would cost the peer all its connections.
      pingTimeout: { minTimeout: pingTimeout, maxTimeout: Math.max(pingTimeout, 60_000) },
      abortConnectionOnPingFailure: true,
    },
    connectionManager: {
      // Demos run several peers on one host; the default of 5 new connections per
      // second per host would refuse their reconnections.
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 32,
    },
  };
}

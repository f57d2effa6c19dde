// Peer: one Raftnotes device on the network — a libp2p node in the notebook's
// private network, with its raft transport, the join and status protocols,
// mDNS and manual bootstrap peers, and the isolation switch for demos.
import { createLibp2p } from 'libp2p';
import { TypedEventEmitter } from '@libp2p/interface';
import type { Libp2p, Logger, PeerId, PeerInfo } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { BootstrapDialer } from './bootstrap-dialer.ts';
import { listenErrorOf } from './errors.ts';
import { formatInvite } from './invite-code.ts';
import { IsolationGate } from './isolation-gate.ts';
import { handleJoin, requestJoin } from './join-protocol.ts';
import type { JoinHandler } from './join-protocol.ts';
import type { JoinRequest, JoinResponse } from './join-codec.ts';
import { Libp2pRaftTransport } from './libp2p-raft-transport.ts';
import { Discoverability } from './lan-discovery.ts';
import { assertNotebook } from './notebook.ts';
import type { Notebook } from './notebook.ts';
import type { NotebookNetwork, NotebookNetworkEvents } from './notebook-network.ts';
import { installPatches } from './patches/index.ts';
import { peerLibp2pOptions } from './peer-config.ts';
import type { PeerConfigInit } from './peer-config.ts';
import type { RaftTransport, RaftTransportOptions } from './raft-transport.ts';
import type { RequestOptions, RequestResponseComponents } from './request-response.ts';
import { fetchStatus, handleStatus, statusStreams } from './status-protocol.ts';
import type { RequestStreams } from './request-stream.ts';
import type { StatusProvider, StatusRecord } from './status-protocol.ts';

/** PeerInit configures createPeer. */
export interface PeerInit extends PeerConfigInit {
  /** This device's display name, sent when it asks to join. */
  name?: string;
  /** Multiaddrs to dial and keep connected (`--peer`), e.g. an invite's addresses. */
  bootstrap?: readonly string[];
  /** Queue bounds and redial timing of the raft transport. */
  transport?: RaftTransportOptions;
}

/** Peer is a started Raftnotes network peer (a NotebookNetwork over libp2p); create one with createPeer. */
export class Peer extends TypedEventEmitter<NotebookNetworkEvents> implements NotebookNetwork {
  /** This peer's id, which is also its Raft NodeId. */
  readonly peerId: string;
  readonly notebook: Notebook;
  readonly libp2p: Libp2p;
  /** The transport of Raft frames to and from the other peers. */
  readonly raft: RaftTransport;
  private readonly name: string;
  private readonly gate: IsolationGate;
  private readonly discoverability: Discoverability;
  private readonly bootstrap: BootstrapDialer;
  private readonly log: Logger;
  /** The long-lived streams this peer polls other members' status on. */
  private readonly statusStreams: RequestStreams;
  private stopped = false;

  /** Use createPeer. */
  constructor(parts: { init: PeerInit; libp2p: Libp2p; gate: IsolationGate; discoverability: Discoverability; raft: RaftTransport }) {
    super();
    this.libp2p = parts.libp2p;
    this.gate = parts.gate;
    this.discoverability = parts.discoverability;
    this.raft = parts.raft;
    this.notebook = parts.init.notebook;
    this.name = parts.init.name ?? '';
    this.peerId = this.libp2p.peerId.toString();
    this.log = this.libp2p.logger.forComponent('raftnotes:peer');
    this.statusStreams = statusStreams(this.components());
    this.bootstrap = new BootstrapDialer({ libp2p: this.libp2p, gate: this.gate, log: this.log }, parts.init.bootstrap ?? []);
    this.libp2p.addEventListener('peer:discovery', (evt: CustomEvent<PeerInfo>) => {
      this.safeDispatchEvent('peer:discovered', {
        detail: { peerId: evt.detail.id.toString(), addrs: evt.detail.multiaddrs.map((m) => m.toString()) },
      });
    });
    this.libp2p.addEventListener('peer:connect', (evt: CustomEvent<PeerId>) => {
      this.safeDispatchEvent('peer:connected', { detail: evt.detail.toString() });
    });
    this.libp2p.addEventListener('peer:disconnect', (evt: CustomEvent<PeerId>) => {
      this.safeDispatchEvent('peer:disconnected', { detail: evt.detail.toString() });
    });
    this.bootstrap.start();
  }

  /** isolated tells whether this peer is cut off from all others. */
  get isolated(): boolean {
    return this.gate.isolated;
  }

  /** addrs lists the multiaddrs this peer can be reached at, each ending in /p2p/<peerId>. */
  addrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  /**
   * addrsOf returns the addresses this peer knows for another (from mDNS,
   * identify or addPeer), so the service can pass them on (join answers,
   * status records): without mDNS, followers learn each other's addresses
   * only that way.
   */
  async addrsOf(peerId: string): Promise<string[]> {
    try {
      const info = await this.libp2p.peerStore.get(peerIdFromString(peerId));
      return info.addresses.map((a) => a.multiaddr.toString());
    } catch {
      return [];
    }
  }

  /** knownPeers lists the peers in libp2p's peer store (found by mDNS, dialed, or connected once). */
  async knownPeers(): Promise<string[]> {
    const own = this.peerId;
    return (await this.libp2p.peerStore.all()).map((p) => p.id.toString()).filter((id) => id !== own);
  }

  /** connectedPeers lists the peers with an open connection. */
  connectedPeers(): string[] {
    return this.libp2p.getPeers().map((p) => p.toString());
  }

  /** hangUp closes every connection to `peerId` (the raft transport redials it). */
  async hangUp(peerId: string): Promise<void> {
    await this.libp2p.hangUp(peerIdFromString(peerId)).catch(() => {});
  }

  /** setDiscoverable says whether this peer answers mDNS queries and announces itself. */
  setDiscoverable(discoverable: boolean): void {
    this.discoverability.set(discoverable);
  }

  /** invite returns the invite code of this peer's notebook, with this peer's addresses. */
  invite(): string {
    return formatInvite({ notebook: this.notebook, peerId: this.peerId, addrs: this.addrs() });
  }

  /** dial connects to a multiaddr and returns the peer id found there. */
  async dial(addr: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const conn = await this.libp2p.dial(multiaddr(addr), options);
    return conn.remotePeer.toString();
  }

  /** handleJoin sets the service's answer to join requests from other peers. */
  async handleJoin(handler: JoinHandler): Promise<void> {
    await handleJoin(this.components(), handler);
  }

  /** requestJoin asks `target` (peer id or multiaddr) to add this peer, sending its id, name and addresses. */
  async requestJoin(target: string, options?: RequestOptions): Promise<JoinResponse> {
    const req: JoinRequest = { peerId: this.peerId, name: this.name, addrs: this.addrs() };
    return requestJoin(this.components(), target, req, options);
  }

  /** handleStatus sets the provider of this peer's status record for other peers' cluster views. */
  async handleStatus(provider: StatusProvider): Promise<void> {
    await handleStatus(this.components(), provider);
  }

  /** fetchStatus asks `target` (peer id or multiaddr) for its status record; asked by peer id, the stream stays open for the next time. */
  async fetchStatus(target: string, options?: RequestOptions): Promise<StatusRecord> {
    return fetchStatus(this.components(), target, options, this.statusStreams);
  }

  /**
   * setIsolated(true) cuts this peer off from all others: closes its
   * connections, refuses new ones both ways and stops redialing.
   * setIsolated(false) lets it reconnect at once.
   */
  async setIsolated(isolated: boolean): Promise<void> {
    await this.raft.setIsolated(isolated);
  }

  /** setCut cuts this peer off from exactly `peers`: closes the connections to them, refuses new ones both ways, stops redialing them; none heals. */
  async setCut(peers: readonly string[]): Promise<void> {
    await this.raft.setCut(peers);
  }

  /** stop closes every stream and connection and stops the node. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.bootstrap.stop();
    this.statusStreams.closeAll();
    await this.raft.stop();
    await this.libp2p.stop();
  }

  private components(): RequestResponseComponents {
    return { libp2p: this.libp2p, gate: this.gate, log: this.log };
  }
}

/**
 * createPeer starts a peer: a libp2p node with TCP, the notebook's pnet key,
 * Noise, Yamux, identify, ping and (unless `mdns: false`) mDNS, listening on
 * `listen` (default /ip4/0.0.0.0/tcp/0) and dialing `bootstrap`. It installs
 * the patches of dependencies first (patches/index.ts).
 */
export async function createPeer(init: PeerInit): Promise<Peer> {
  assertNotebook(init.notebook);
  installPatches();
  const gate = new IsolationGate();
  const discoverability = init.discoverability ?? new Discoverability(true);
  const libp2p = await createLibp2p(peerLibp2pOptions({ ...init, discoverability }, gate)).catch((err: unknown) => {
    throw listenErrorOf(err) ?? err;
  });
  try {
    const raft = await Libp2pRaftTransport.create({ libp2p, gate }, init.transport);
    return new Peer({ init, libp2p, gate, discoverability, raft });
  } catch (err) {
    await libp2p.stop();
    throw err;
  }
}

// NotebookNetwork is what a running notebook needs of the network, whatever
// carries it: the raft transport, the join and status protocols, discovery
// of the notebook's other peers, and the isolation switch. Peer (libp2p, for
// real) and MemoryPeer (in one process, for tests) implement it.
import type { TypedEventTarget } from '@libp2p/interface';
import type { JoinHandler } from './join-protocol.ts';
import type { JoinResponse } from './join-codec.ts';
import type { RaftTransport } from './raft-transport.ts';
import type { RequestOptions } from './request-response.ts';
import type { StatusProvider, StatusRecord } from './status-protocol.ts';

/** DiscoveredPeer is a peer of this notebook found on the LAN (mDNS) or learned from a connection. */
export interface DiscoveredPeer {
  peerId: string;
  addrs: string[];
}

/** NotebookNetworkEvents are the events a NotebookNetwork emits. */
export interface NotebookNetworkEvents {
  /** A peer was found (mDNS, or first contact); the service may ask it to join or ask to join it. */
  'peer:discovered': CustomEvent<DiscoveredPeer>;
  /** A connection to a peer opened (its first one). */
  'peer:connected': CustomEvent<string>;
  /** The last connection to a peer closed. */
  'peer:disconnected': CustomEvent<string>;
}

/** NotebookNetwork is one peer of a notebook on its network. */
export interface NotebookNetwork extends TypedEventTarget<NotebookNetworkEvents> {
  /** This peer's id, which is also its Raft NodeId. */
  readonly peerId: string;
  /** The transport of Raft frames to and from the other peers. */
  readonly raft: RaftTransport;
  /** Whether this peer is cut off from all others (setIsolated). */
  readonly isolated: boolean;
  /** addrs lists where other peers reach this one. */
  addrs(): string[];
  /** addrsOf lists the addresses this peer knows for another, to pass on (join answers, status records). */
  addrsOf(peerId: string): Promise<string[]>;
  /** knownPeers lists the peers of this notebook found so far (discovered or connected). */
  knownPeers(): Promise<string[]>;
  /** connectedPeers lists the peers connected now. */
  connectedPeers(): string[];
  /** invite is the invite code of this notebook, with this peer's addresses. */
  invite(): string;
  /** handleJoin sets the answer to other peers' join requests. */
  handleJoin(handler: JoinHandler): Promise<void>;
  /** requestJoin asks `target` (peer id or multiaddr) to add this peer. */
  requestJoin(target: string, options?: RequestOptions): Promise<JoinResponse>;
  /** handleStatus sets the provider of this peer's status record. */
  handleStatus(provider: StatusProvider): Promise<void>;
  /** fetchStatus asks `target` for its status record. */
  fetchStatus(target: string, options?: RequestOptions): Promise<StatusRecord>;
  /** hangUp closes the connections to a peer, so that redialing starts afresh (a link cut without a reset). */
  hangUp(peerId: string): Promise<void>;
  /** setDiscoverable says whether this peer shows itself to others (mDNS): a newcomer keeps quiet until it is a member. */
  setDiscoverable(discoverable: boolean): void;
  /** setIsolated cuts this peer off from all others, or reconnects it. */
  setIsolated(isolated: boolean): Promise<void>;
  /** setCut cuts this peer off from exactly `peers` (the demo's partitions into groups); none heals. */
  setCut(peers: readonly string[]): Promise<void>;
  /** stop closes every connection; the network cannot be used again. */
  stop(): Promise<void>;
}

// MemoryPeer: a NotebookNetwork inside one process, for tests of running
// notebooks without sockets. Its raft frames travel on a MemoryTransport (the
// same codec, batching and backpressure as the libp2p transport); join
// requests and status polls are answered by the target's handler after one
// macrotask, through the same codecs as on the wire; discovery is what mDNS
// does on a LAN: every discoverable peer of the network is found by the
// others, at once. Isolation cuts a peer off from all of it, both ways.
import { TypedEventEmitter } from '@libp2p/interface';
import { IsolatedError, ProtocolError } from './errors.ts';
import { formatInvite } from './invite-code.ts';
import { decodeJoinRequest, decodeJoinResponse, encodeJoinRequest, encodeJoinResponse } from './join-codec.ts';
import type { JoinResponse } from './join-codec.ts';
import type { JoinHandler } from './join-protocol.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { MemoryTransport } from './memory-transport.ts';
import type { Notebook } from './notebook.ts';
import type { NotebookNetwork, NotebookNetworkEvents } from './notebook-network.ts';
import type { RequestOptions } from './request-response.ts';
import { decodeStatus, encodeStatus } from './status-protocol.ts';
import type { StatusProvider, StatusRecord } from './status-protocol.ts';

/** MemoryLan connects the MemoryPeers made from it, as a LAN with mDNS would. */
export class MemoryLan {
  /** The raft transports' network. */
  readonly transports = new MemoryNetwork();
  private readonly peers = new Map<string, MemoryPeer>();

  /** createPeer starts peer `id` (again, after it stopped) on this LAN. */
  createPeer(init: { id: string; notebook: Notebook; name?: string; discoverable?: boolean }): MemoryPeer {
    if (this.peers.has(init.id)) throw new Error(`a peer with id ${init.id} is already running`);
    const peer = new MemoryPeer(this, init.id, init.notebook, init.name ?? '', init.discoverable ?? true);
    this.peers.set(init.id, peer);
    this.announce(peer);
    return peer;
  }

  /** reachable returns peer `id` when `from` can talk to it now: both running and neither isolated. */
  reachable(from: MemoryPeer, id: string): MemoryPeer | null {
    const target = this.peers.get(id);
    if (target === undefined || target === from || from.raft.blocks(id) || target.raft.blocks(from.peerId)) return null;
    return target;
  }

  /** announce lets every other peer find `peer`, and `peer` find them (only the discoverable ones are found). */
  announce(peer: MemoryPeer): void {
    if (peer.isolated) return;
    for (const other of this.peers.values()) {
      if (other === peer || other.isolated) continue;
      if (peer.discoverable) other.found(peer.peerId);
      if (other.discoverable) peer.found(other.peerId);
    }
  }

  /** remove forgets a stopped peer. */
  remove(peer: MemoryPeer): void {
    if (this.peers.get(peer.peerId) === peer) this.peers.delete(peer.peerId);
  }
}

/** MemoryPeer is one peer of a MemoryLan; make it with MemoryLan.createPeer. */
export class MemoryPeer extends TypedEventEmitter<NotebookNetworkEvents> implements NotebookNetwork {
  readonly peerId: string;
  readonly raft: MemoryTransport;
  private readonly lan: MemoryLan;
  private readonly notebook: Notebook;
  private readonly name: string;
  private readonly seen = new Set<string>();
  private joinHandler: JoinHandler | null = null;
  private statusProvider: StatusProvider | null = null;
  private discoverableValue: boolean;
  private stopped = false;

  /** Use MemoryLan.createPeer. */
  constructor(lan: MemoryLan, id: string, notebook: Notebook, name: string, discoverable: boolean) {
    super();
    this.lan = lan;
    this.peerId = id;
    this.notebook = notebook;
    this.name = name;
    this.discoverableValue = discoverable;
    this.raft = lan.transports.createTransport(id);
  }

  get isolated(): boolean {
    return this.raft.isolated;
  }

  /** discoverable says whether other peers find this one. */
  get discoverable(): boolean {
    return this.discoverableValue;
  }

  addrs(): string[] {
    return [];
  }

  async addrsOf(): Promise<string[]> {
    return [];
  }

  async knownPeers(): Promise<string[]> {
    return [...this.seen];
  }

  connectedPeers(): string[] {
    return this.raft.peers().filter((id) => this.raft.isReachable(id));
  }

  invite(): string {
    return formatInvite({ notebook: this.notebook, addrs: [] });
  }

  async handleJoin(handler: JoinHandler): Promise<void> {
    this.joinHandler = handler;
  }

  async requestJoin(target: string, options: RequestOptions = {}): Promise<JoinResponse> {
    const request = encodeJoinRequest({ peerId: this.peerId, name: this.name, addrs: this.addrs() });
    const answer = await this.ask(target, options, async (peer) => {
      if (peer.joinHandler === null) throw new ProtocolError(`${target} does not answer join requests`);
      return encodeJoinResponse(await peer.joinHandler(decodeJoinRequest(request), this.peerId));
    });
    return decodeJoinResponse(answer);
  }

  async handleStatus(provider: StatusProvider): Promise<void> {
    this.statusProvider = provider;
  }

  async fetchStatus(target: string, options: RequestOptions = {}): Promise<StatusRecord> {
    return decodeStatus(await this.ask(target, options, async (peer) => {
      if (peer.statusProvider === null) throw new ProtocolError(`${target} does not answer status requests`);
      return encodeStatus(await peer.statusProvider(this.peerId));
    }));
  }

  async hangUp(peerId: string): Promise<void> {
    this.raft.dropLinksTo(peerId);
    this.raft.reconnect(peerId);
  }

  setDiscoverable(discoverable: boolean): void {
    if (discoverable === this.discoverableValue) return;
    this.discoverableValue = discoverable;
    if (discoverable) this.lan.announce(this);
  }

  async setCut(peers: readonly string[]): Promise<void> {
    await this.raft.setCut(peers);
  }

  async setIsolated(isolated: boolean): Promise<void> {
    await this.raft.setIsolated(isolated);
    if (!isolated) this.lan.announce(this);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.raft.stop();
    this.lan.remove(this);
  }

  /** found tells this peer about another one of the LAN (its first sighting is an event). */
  found(id: string): void {
    if (this.stopped || this.seen.has(id)) return;
    this.seen.add(id);
    this.safeDispatchEvent('peer:discovered', { detail: { peerId: id, addrs: [] } });
  }

  /** ask runs `answer` on the target after one macrotask, as a request on a stream would, bounded by the options' signal. */
  private async ask(target: string, options: RequestOptions, answer: (peer: MemoryPeer) => Promise<Uint8Array>): Promise<Uint8Array> {
    if (this.isolated) throw new IsolatedError();
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    const peer = this.lan.reachable(this, target);
    if (peer === null) throw new ProtocolError(`${target} cannot be reached`);
    return answer(peer);
  }
}

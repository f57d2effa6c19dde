// MemoryNetwork: the registry that connects the MemoryTransports made from it
// and reconnects their links when a peer starts again or leaves isolation.
import type { NodeId } from '../raft/types.ts';
import { MemoryPipe } from './memory-pipe.ts';
import { MemoryTransport } from './memory-transport.ts';
import type { RaftTransportOptions } from './raft-transport.ts';

/** MemoryNetworkInit configures a MemoryNetwork. */
export interface MemoryNetworkInit {
  /** Bytes in flight on one stream before the writer must wait for drain. Default 1 MiB. */
  windowBytes?: number;
}

/** MemoryNetwork connects the MemoryTransports created from it. */
export class MemoryNetwork {
  private readonly nodes = new Map<NodeId, MemoryTransport>();
  private readonly window: number;

  constructor(init: MemoryNetworkInit = {}) {
    this.window = init.windowBytes ?? 1024 * 1024;
  }

  /** createTransport starts a transport with id `id`; the id must not be in use by a running transport. */
  createTransport(id: NodeId, options: RaftTransportOptions = {}): MemoryTransport {
    if (this.nodes.has(id)) throw new Error(`a transport with id ${id} is already running`);
    const t = new MemoryTransport(id, this, options);
    this.nodes.set(id, t);
    this.announce(t);
    return t;
  }

  /** open returns a new stream from `from` to `to`, or null when `to` is away or either is isolated. */
  open(from: MemoryTransport, to: NodeId): MemoryPipe | null {
    const target = this.nodes.get(to);
    if (target === undefined || from.blocks(to) || target.blocks(from.localId)) return null;
    const pipe = new MemoryPipe(from, target, this.window, from.maxFrameBytes);
    target.accept(pipe);
    return pipe;
  }

  /** announce tells every transport that `t` can be reached now, so links to it reconnect. */
  announce(t: MemoryTransport): void {
    for (const other of this.nodes.values()) {
      if (other !== t) other.reconnect(t.localId);
    }
    t.reconnect(null);
  }

  /** remove forgets a stopped transport. */
  remove(t: MemoryTransport): void {
    if (this.nodes.get(t.localId) === t) this.nodes.delete(t.localId);
  }

  /** each calls `fn` for every running transport. */
  each(fn: (t: MemoryTransport) => void): void {
    for (const t of this.nodes.values()) fn(t);
  }
}


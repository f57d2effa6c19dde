// RaftTransport: how the service's driver loop hands frames to other peers and
// gets theirs, whatever carries them (libp2p streams, or memory in tests).
// Both implementations pass one compliance suite (testing/transport-compliance.ts).
import type { TypedEventTarget } from '@libp2p/interface';
import type { NodeId } from '../raft/types.ts';
import { MAX_FRAME_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';

/** RAFT_PROTOCOL is the libp2p protocol id of the raft stream. */
export const RAFT_PROTOCOL = '/raftnotes/raft/1';

/** FrameHandler receives each valid frame from a peer, in the order that peer sent them. */
export type FrameHandler = (from: NodeId, frame: Frame) => void;

/** PeerLinkStats counts what went to and came from one peer. */
export interface PeerLinkStats {
  /** Whether a stream to the peer is open now (frames can go out). */
  reachable: boolean;
  /** Frames and bytes waiting in the bounded queue. */
  queuedFrames: number;
  queuedBytes: number;
  /** Bytes handed to the stream that it has not passed on yet (it holds them while waiting for drain). */
  unsentBytes: number;
  /** Frames and bytes handed to the stream. */
  sentFrames: number;
  sentBytes: number;
  /** Stream writes (one write carries a batch of frames). */
  writes: number;
  /** Frames dropped: queue full, frame too large, or lost with a closed stream. */
  droppedFrames: number;
  /** Valid frames received from the peer. */
  receivedFrames: number;
  /** Streams from the peer closed because they carried a malformed or oversized frame. */
  rejectedStreams: number;
}

/** TransportStats is every peer's PeerLinkStats, and their sums. */
export interface TransportStats extends Omit<PeerLinkStats, 'reachable'> {
  /** Exceptions thrown by the frame handler (logged, then ignored). */
  handlerErrors: number;
  peers: Record<NodeId, PeerLinkStats>;
}

/** RaftTransportEvents are the events a RaftTransport emits. */
export interface RaftTransportEvents {
  /** A peer became reachable (a stream to it opened) or unreachable (it closed). */
  reachability: CustomEvent<{ peer: NodeId; reachable: boolean }>;
  /** A stream from a peer was closed because it carried a malformed or oversized frame. */
  rejected: CustomEvent<{ peer: NodeId; reason: string }>;
  /** A peer refused the raft protocol: it runs another version of Raftnotes (the reason says what to do). */
  'other-version': CustomEvent<{ peer: NodeId; reason: string }>;
}

/** RaftTransportOptions bounds the memory and tunes the redial loop of a transport. */
export interface RaftTransportOptions {
  /** Bytes queued per peer before frames are dropped; a larger single frame is queued when the queue is empty. Default 8 MiB. */
  maxQueueBytes?: number;
  /** Frames queued per peer before frames are dropped. Default 8192. */
  maxQueueFrames?: number;
  /** Frames are joined into writes of about this many bytes. Default 1 MiB. */
  maxBatchBytes?: number;
  /** Largest frame sent or accepted. Default MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** First redial delay after a failure. Default 100 ms. */
  redialMinMs?: number;
  /** Longest redial delay: the backoff doubles up to it and stays there, forever. Default 3000 ms. */
  redialMaxMs?: number;
}

/** TRANSPORT_DEFAULTS are the values of RaftTransportOptions left out. */
export const TRANSPORT_DEFAULTS: Required<RaftTransportOptions> = {
  maxQueueBytes: 8 * 1024 * 1024,
  maxQueueFrames: 8192,
  maxBatchBytes: 1024 * 1024,
  maxFrameBytes: MAX_FRAME_BYTES,
  redialMinMs: 100,
  redialMaxMs: 3000,
};

/**
 * RaftTransport carries frames between peers. Raft NodeId = libp2p peer id.
 * Delivery is in order per peer but not guaranteed: a frame may be dropped
 * (counted in stats) when a peer is slow or away, which Raft tolerates.
 */
export interface RaftTransport extends TypedEventTarget<RaftTransportEvents> {
  /** This peer's id; received frames have it as `to`. */
  readonly localId: NodeId;
  /** Whether this peer is cut off from all others (setIsolated). */
  readonly isolated: boolean;
  /** setHandler sets the receiver of incoming frames; frames that arrive while it is null are dropped. */
  setHandler(handler: FrameHandler | null): void;
  /**
   * send queues each frame for `frame.to` and returns at once; it never blocks
   * or throws for a peer that is slow, away or unknown (such a peer is added
   * as by addPeer). Frames to this peer itself are ignored.
   */
  send(frames: readonly Frame[]): void;
  /** addPeer keeps a stream open to `id`, redialing forever with backoff; `addrs` are multiaddrs to find it at. */
  addPeer(id: NodeId, addrs?: readonly string[]): void;
  /** removePeer stops redialing `id`, closes the stream to it and drops its queue. */
  removePeer(id: NodeId): void;
  /** peers lists the peers this transport keeps streams to. */
  peers(): NodeId[];
  /** isReachable tells whether a stream to `id` is open now. */
  isReachable(id: NodeId): boolean;
  /**
   * setIsolated(true) cuts this peer off: closes its connections, refuses new
   * ones both ways and stops redialing. setIsolated(false) reconnects at once.
   */
  setIsolated(isolated: boolean): Promise<void>;
  /**
   * setCut cuts this peer off from exactly `peers` (both ways, as isolation
   * does, for the demo's partitions into groups); setCut([]) heals the cut.
   */
  setCut(peers: readonly NodeId[]): Promise<void>;
  /** setReceivingPaused stops (or resumes) reading from peers, so that backpressure reaches them. */
  setReceivingPaused(paused: boolean): void;
  /** stats returns the counters, for the cluster view and tests. */
  stats(): TransportStats;
  /** stop closes every stream and stops every timer; the transport cannot be used again. */
  stop(): Promise<void>;
}

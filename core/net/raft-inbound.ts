// RaftInbound: the raft streams other peers opened to this one. Each is read
// through its own FrameReader; a malformed or oversized frame aborts that
// stream only. Pausing stops reading every stream, so the muxer's window
// closes and the senders feel backpressure.
import type { Logger, Stream } from '@libp2p/interface';
import type { NodeId } from '../raft/types.ts';
import { IsolatedError } from './errors.ts';
import { FrameReader } from './frame-stream.ts';
import type { Frame } from './frame.ts';

/** STREAM_INACTIVITY_TIMEOUT_MS keeps idle raft streams open (a follower may not write to another for hours). */
export const STREAM_INACTIVITY_TIMEOUT_MS = 2 ** 31 - 1;

/** RaftInboundInit is what RaftInbound needs from its transport. */
export interface RaftInboundInit {
  localId: NodeId;
  maxFrameBytes: number;
  log: Logger;
  /** Called for each valid frame, in order per stream. */
  onFrame(from: NodeId, frame: Frame): void;
  /** Called when a stream from `from` is aborted for a bad frame. */
  onReject(from: NodeId, reason: string): void;
}

/** RaftInbound reads the inbound raft streams of one transport. */
export class RaftInbound {
  private readonly init: RaftInboundInit;
  /** Each open inbound stream and the peer that opened it. */
  private readonly streams = new Map<Stream, NodeId>();
  private paused = false;

  constructor(init: RaftInboundInit) {
    this.init = init;
  }

  /** accept starts reading a stream that peer `from` opened. */
  accept(stream: Stream, from: NodeId): void {
    const { localId, maxFrameBytes, log } = this.init;
    stream.inactivityTimeout = STREAM_INACTIVITY_TIMEOUT_MS;
    this.streams.set(stream, from);
    const reader = new FrameReader({ address: { from, to: localId }, maxFrameBytes });
    stream.addEventListener('message', (evt) => {
      try {
        reader.push(evt.data, (frame) => this.init.onFrame(from, frame));
      } catch (err) {
        const reason = (err as Error).message;
        log.error('closing the raft stream from %s: %s', from, reason);
        this.init.onReject(from, reason);
        stream.abort(err as Error);
      }
    });
    // A stream is freed only when both ends close their write side (docs/architecture.md, "Stream facts").
    stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}); });
    stream.addEventListener('close', () => { this.streams.delete(stream); });
    this.applyPause(stream);
  }

  /** setPaused stops (or resumes) reading every stream, present and future. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const s of this.streams.keys()) this.applyPause(s);
  }

  /** abortAll aborts every inbound stream (isolation, stop). */
  abortAll(err: Error = new IsolatedError()): void {
    for (const s of this.streams.keys()) s.abort(err);
    this.streams.clear();
  }

  /** abortFrom aborts the inbound streams of the peers `cut` says (a partition's cut). */
  abortFrom(cut: (from: NodeId) => boolean, err: Error = new IsolatedError()): void {
    for (const [s, from] of this.streams) {
      if (!cut(from)) continue;
      s.abort(err);
      this.streams.delete(s);
    }
  }

  private applyPause(stream: Stream): void {
    try {
      if (this.paused) stream.pause();
      else stream.resume();
    } catch {
      // The stream is closing; there is nothing to pause.
    }
  }
}

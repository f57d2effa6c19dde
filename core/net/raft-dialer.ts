// RaftDialer: keeps one outbound raft stream open to one peer. It dials, hands
// the stream's write side to the peer's OutboundLink, and when the stream
// closes redials with exponential backoff capped at redialMaxMs — forever,
// while the peer is wanted, this peer is not isolated and the transport runs.
import { peerIdFromString } from '@libp2p/peer-id';
import type { Libp2p, Logger, Stream } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import { Backoff } from './backoff.ts';
import { isUnsupportedProtocol, otherVersionMessage } from './errors.ts';
import type { IsolationGate } from './isolation-gate.ts';
import type { OutboundLink } from './outbound-link.ts';
import { STREAM_INACTIVITY_TIMEOUT_MS } from './raft-inbound.ts';
import { RAFT_PROTOCOL } from './raft-transport.ts';

/** DIAL_TIMEOUT_MS bounds one dial attempt. */
const DIAL_TIMEOUT_MS = 10_000;

/** RaftDialerInit is what a RaftDialer needs from its transport. */
export interface RaftDialerInit {
  libp2p: Libp2p;
  gate: IsolationGate;
  link: OutboundLink;
  log: Logger;
  redialMinMs: number;
  redialMaxMs: number;
  /** Whether the transport has stopped. */
  stopped(): boolean;
  /** Called when the stream opens (true) or closes (false). */
  onReachability(reachable: boolean): void;
  /** Called when the peer refused the raft protocol: it runs another version (redialing goes on, at the longest pause). */
  onOtherVersion(reason: string): void;
}

/** RaftDialer owns the outbound raft stream to one peer. */
export class RaftDialer {
  private readonly init: RaftDialerInit;
  private readonly backoff: Backoff;
  // Invariant: at most one of stream, dialing and timer is set.
  private stream: Stream | null = null;
  private dialing: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private openedAt = 0;

  constructor(init: RaftDialerInit) {
    this.init = init;
    this.backoff = new Backoff({ minMs: init.redialMinMs, maxMs: init.redialMaxMs });
  }

  /** idle tells whether there is no stream and no dial under way or planned. */
  get idle(): boolean {
    return this.stream === null && this.dialing === null && this.timer === null;
  }

  /** ensure dials now unless a stream is open or a dial is under way or planned. */
  ensure(): void {
    if (this.idle) this.hurry();
  }

  /** hurry dials at once, forgetting the backoff, unless a stream is open or a dial is under way (the peer came back, or isolation ended). */
  hurry(): void {
    if (this.stream !== null || this.dialing !== null) return;
    this.cancel();
    this.backoff.reset();
    void this.dial();
  }

  /** cancel stops a dial under way or planned; an open stream stays. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.dialing?.abort();
    this.dialing = null;
  }

  /** abort cancels dialing and aborts the stream. */
  abort(err: Error): void {
    this.cancel();
    this.stream?.abort(err);
  }

  /** close cancels dialing and closes the stream, aborting it when that takes longer than `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    this.cancel();
    const s = this.stream;
    await s?.close({ signal: AbortSignal.timeout(timeoutMs) }).catch((err: Error) => s.abort(err));
  }

  private wanted(): boolean {
    return !this.init.stopped() && this.init.link.wanted && !this.init.gate.blocks(this.init.link.peer);
  }

  private scheduleRedial(): void {
    if (!this.wanted() || !this.idle) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.dial();
    }, this.backoff.next());
  }

  private async dial(): Promise<void> {
    if (!this.wanted() || this.stream !== null) return;
    const controller = new AbortController();
    this.dialing = controller;
    const peer = this.init.link.peer;
    let stream: Stream;
    try {
      stream = await this.init.libp2p.dialProtocol(peerIdFromString(peer), RAFT_PROTOCOL, {
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]),
      });
    } catch (err) {
      if (this.dialing === controller) {
        this.dialing = null;
        this.init.log('dial %s failed: %s', peer, (err as Error).message);
        if (isUnsupportedProtocol(err)) this.init.onOtherVersion(otherVersionMessage(peer, RAFT_PROTOCOL));
        this.scheduleRedial();
      }
      return;
    }
    if (this.dialing !== controller || !this.wanted()) {
      stream.abort(new Error('dial no longer wanted'));
      return;
    }
    this.dialing = null;
    this.opened(stream);
  }

  private opened(stream: Stream): void {
    stream.inactivityTimeout = STREAM_INACTIVITY_TIMEOUT_MS;
    this.stream = stream;
    this.openedAt = Date.now();
    // The acceptor never writes; read and discard so nothing piles up in the stream.
    stream.addEventListener('message', () => {});
    // A stream is freed only when both ends close their write side (docs/architecture.md, "Stream facts").
    stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}); });
    stream.addEventListener('close', () => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.init.link.detach();
      if (Date.now() - this.openedAt >= this.init.redialMaxMs) this.backoff.reset();
      this.init.onReachability(false);
      this.scheduleRedial();
    });
    this.init.link.attach({
      write: (batch: Uint8ArrayList) => stream.send(batch),
      // Wait for the 'drain' event: stream.onDrain() settles early after the first drain (docs/architecture.md, "Stream facts").
      onceDrain: (cb) => stream.addEventListener('drain', cb, { once: true }),
      buffered: () => stream.writeBufferLength,
    });
    this.init.onReachability(true);
  }
}

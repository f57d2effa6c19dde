// PeerUpstream follows one running demo peer's own event stream
// (GET <api>/api/events with the peer's bearer token) with Node's fetch,
// parses it with eventsource-parser and hands on each event whose data is
// JSON; other data is dropped, never passed on as text. When the stream ends
// or fails it tries again with exponential backoff until stop() (the demo
// server stops it when the peer's process stops or crashes).
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';

/** UpstreamTarget is a running peer's API URL and token. */
export interface UpstreamTarget {
  url: string;
  token: string;
}

/** UpstreamState is 'open' once the peer's stream answers, 'lost' (with the wait before the next try) after it ends or fails. */
export type UpstreamState = { state: 'open' } | { state: 'lost'; retryInMs: number; reason: string };

/** PeerUpstreamInit says which peer to follow and whom to tell. */
export interface PeerUpstreamInit {
  target: UpstreamTarget;
  /** Receives each event whose data parsed as JSON. */
  onEvent: (event: string, data: unknown) => void;
  onState: (state: UpstreamState) => void;
  /** First wait before reconnecting; doubles up to maxBackoffMs. Defaults 250 and 5,000 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** The longest event (in characters) the parser buffers; a longer one drops the connection. Default 8 MiB. */
  maxEventChars?: number;
}

/** PeerUpstream is one peer's event stream, reconnected until stopped. */
export class PeerUpstream {
  private readonly init: PeerUpstreamInit;
  private stopped = false;
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private backoff: number;

  constructor(init: PeerUpstreamInit) {
    this.init = init;
    this.backoff = init.minBackoffMs ?? 250;
  }

  /** start opens the stream (once). */
  start(): void {
    if (this.controller === null && this.timer === null && !this.stopped) void this.connect();
  }

  /** stop closes the stream and cancels any reconnect. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
  }

  private async connect(): Promise<void> {
    this.timer = null;
    const controller = new AbortController();
    this.controller = controller;
    let reason = 'the stream ended';
    try {
      const res = await fetch(new URL('/api/events', this.init.target.url), {
        headers: { authorization: `Bearer ${this.init.target.token}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!res.ok || res.body === null) {
        reason = `the peer answered ${res.status}`;
        await res.body?.cancel();
      } else {
        this.backoff = this.init.minBackoffMs ?? 250;
        if (!this.stopped) this.init.onState({ state: 'open' });
        const parser = createParser({
          maxBufferSize: this.init.maxEventChars ?? 8 * 1024 * 1024,
          onEvent: (message) => this.dispatch(message),
          onError: (error: ParseError) => {
            // Unknown fields and bad retry values are skipped; only an overlong event ends the stream.
            if (error.type !== 'max-buffer-size-exceeded') return;
            reason = error.message;
            controller.abort();
          },
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) reason = (error as Error).message;
    }
    this.controller = null;
    if (this.stopped) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.init.maxBackoffMs ?? 5_000, this.backoff * 2);
    this.init.onState({ state: 'lost', retryInMs: wait, reason });
    this.timer = setTimeout(() => { void this.connect(); }, wait);
  }

  private dispatch(message: EventSourceMessage): void {
    if (this.stopped) return;
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    this.init.onEvent(message.event ?? 'message', data);
  }
}

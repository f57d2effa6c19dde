// PeerUpstream follows one running demo peer's own event stream
// (GET <api>/api/events with the peer's bearer token) and hands on each event
// whose data is JSON; other data is dropped, never passed on as text. The
// demo server is a client of its peers' APIs like the web page is, so it reads
// the stream with the pages' reader (client/event-stream.ts: fetch,
// eventsource-parser, reconnects with exponential backoff) until stop() (the demo server stops it
// when the peer's process stops or crashes).
import { openEventStream } from '../client/event-stream.ts';

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
  minBackoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
  /** The longest event (in characters) kept while it arrives; a longer one drops the connection. Default 8 MiB. */
  maxEventChars?: number;
}

/** PeerUpstream is one peer's event stream, reconnected until stopped. */
export class PeerUpstream {
  private readonly init: PeerUpstreamInit;
  private close: (() => void) | null = null;
  private stopped = false;

  constructor(init: PeerUpstreamInit) {
    this.init = init;
  }

  /** start opens the stream (once). */
  start(): void {
    if (this.close !== null || this.stopped) return;
    const { target } = this.init;
    this.close = openEventStream({
      url: new URL('/api/events', target.url).href,
      headers: { authorization: `Bearer ${target.token}` },
      maxEventChars: this.init.maxEventChars ?? 8 * 1024 * 1024,
      ...(this.init.minBackoffMs !== undefined ? { minBackoffMs: this.init.minBackoffMs } : {}),
      ...(this.init.maxBackoffMs !== undefined ? { maxBackoffMs: this.init.maxBackoffMs } : {}),
      onEvent: ({ event, data }) => {
        if (this.stopped) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          return;
        }
        this.init.onEvent(event, parsed);
      },
      onState: (state, retryInMs = 0, refusal) => {
        if (this.stopped) return;
        this.init.onState(state === 'open' ? { state: 'open' } : { state: 'lost', retryInMs, reason: refusal ?? 'the stream ended' });
      },
    });
  }

  /** stop closes the stream and cancels any reconnect. */
  stop(): void {
    this.stopped = true;
    this.close?.();
  }
}

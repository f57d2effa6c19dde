// Reads a server-sent event stream with fetch and a stream reader, so the
// request can carry the Authorization header (a browser's EventSource cannot),
// and reconnects with exponential backoff when the peer goes away or restarts.
// The stream's text is split into events by eventsource-parser (WHATWG HTML
// §9.2.6: comments, multi-line data, CR, LF and CRLF line ends cut anywhere).
import { createParser } from 'eventsource-parser';

/** ServerEvent is one parsed event of a text/event-stream. */
export interface ServerEvent {
  event: string;
  data: string;
}

/** EventStreamInit says what to read and whom to tell. */
export interface EventStreamInit {
  url: string;
  headers: Record<string, string>;
  onEvent: (event: ServerEvent) => void;
  /** Called with 'open' once the stream answers, 'reconnecting' (the wait, and the peer's refusal if it refused) after it ends or fails. */
  onState: (state: 'open' | 'reconnecting', retryInMs?: number, refusal?: string) => void;
  /** First wait before reconnecting; doubles up to maxBackoffMs. Defaults 250 and 5,000 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** The longest event (in characters) kept while it arrives; a longer one drops the connection. Default: no bound. */
  maxEventChars?: number;
}

/** openEventStream follows the stream until the returned function is called. */
export function openEventStream(init: EventStreamInit): () => void {
  const minBackoff = init.minBackoffMs ?? 250;
  const maxBackoff = init.maxBackoffMs ?? 5_000;
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let backoff = minBackoff;

  const connect = async (): Promise<void> => {
    controller = new AbortController();
    let refusal: string | undefined;
    try {
      const res = await fetch(init.url, { headers: { ...init.headers, accept: 'text/event-stream' }, signal: controller.signal });
      if (!res.ok || res.body === null) {
        refusal = await refusalMessage(res);
        throw new Error(refusal);
      }
      init.onState('open');
      backoff = minBackoff;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = createParser({
        onEvent: ({ event, data }) => init.onEvent({ event: event ?? 'message', data }),
        // Unknown fields and bad retry values are skipped; only an overlong event ends the stream.
        onError: (error) => {
          if (error.type === 'max-buffer-size-exceeded') {
            refusal = error.message;
            controller?.abort();
          }
        },
        ...(init.maxEventChars !== undefined ? { maxBufferSize: init.maxEventChars } : {}),
      });
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch {
      // The peer stopped, restarted or refused: try again below.
    }
    if (stopped) return;
    const wait = backoff;
    backoff = Math.min(maxBackoff, backoff * 2);
    init.onState('reconnecting', wait, refusal);
    timer = setTimeout(() => { void connect(); }, wait);
  };

  void connect();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    controller?.abort();
  };
}

/** refusalMessage is the `message` of the API's JSON error, or the status. */
async function refusalMessage(res: Response): Promise<string> {
  try {
    const body = await res.json() as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON
  }
  return `The peer answered ${res.status}.`;
}

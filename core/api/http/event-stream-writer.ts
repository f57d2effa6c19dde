// EventStreamWriter writes a server-sent event stream (text/event-stream) to
// one client, and bounds what may wait for a slow one: past maxBufferedBytes
// of output the client has not taken (a stalled or gone page), the stream is
// closed rather than buffered without end; the page reconnects and is sent
// the current picture again. The peer's GET /api/events and the demo's
// dashboard stream both write through it.
import type { HttpResponse } from './http-server.ts';

/** DEFAULT_MAX_BUFFERED_BYTES is the backlog past which a client is dropped. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** eventFrame is one server-sent event with JSON data. */
export function eventFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** EventStreamWriter is one client's event stream. */
export class EventStreamWriter {
  private readonly res: HttpResponse;
  /** The backlog bound: maxBufferedBytes, plus the size of the first picture's parts written (writeFirst). */
  private maxBufferedBytes: number;
  /** Set when the response closed: sent, dropped by end() or write(), or the client went away. */
  private gone = false;

  /** The constructor answers 200 with the stream's headers and a first comment. */
  constructor(res: HttpResponse, init: { maxBufferedBytes?: number } = {}) {
    this.res = res;
    this.maxBufferedBytes = init.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    res.once('close', () => { this.gone = true; });
    // No Connection header: HTTP/1.1 keeps the connection alive anyway, and HTTP/2 forbids the header.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(': connected\n\n');
  }

  /** closed tells whether the stream ended (by end(), the client, or a backlog past the bound). */
  get closed(): boolean {
    return this.gone || this.res.writableEnded;
  }

  /** send writes one event with JSON data; false when the stream is closed. */
  send(event: string, data: unknown): boolean {
    return this.write(eventFrame(event, data));
  }

  /**
   * write sends ready-made frames; false when the stream is closed. write()
   * answering false past the socket's high-water mark is normal in a burst, so
   * the bound is on the backlog itself.
   */
  write(frames: string): boolean {
    if (this.closed) return false;
    if (!this.res.write(frames) && this.res.writableLength > this.maxBufferedBytes) {
      this.gone = true;
      this.res.destroy();
      return false;
    }
    return true;
  }

  /**
   * writeFirst sends the stream's first picture, or a part of it (the whole
   * document of a big notebook can pass the bound by itself): the bound then
   * applies to the backlog beyond it.
   */
  writeFirst(frames: string): boolean {
    this.maxBufferedBytes += Buffer.byteLength(frames);
    return this.write(frames);
  }

  /** onClose calls `listener` once the client is gone or the stream ended. */
  onClose(listener: () => void): void {
    this.res.once('close', listener);
  }

  /** end finishes the stream. */
  end(): void {
    if (!this.closed) this.res.end();
  }
}

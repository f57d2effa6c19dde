// HttpServer is the one way this project serves HTTP on a local port (the
// peer's API and the demo's dashboard): Host and Origin checks on every
// request, refusals answered as JSON, the event streams it carries ended at
// stop, and a stop that refuses new requests (503) and lets those under way
// finish for a grace period before it cuts their connections. A page whose
// stream ended asks again at once on the same keep-alive connection: without
// the refusal that connection never went idle and the server never stopped.
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server as Http1Server } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from '../../service/logger.ts';
import type { EventStreamWriter } from './event-stream-writer.ts';
import { sendError, sendJson } from './json.ts';
import { allowedHosts, checkHostAndOrigin } from './request-guard.ts';
import { twoProtocols, type TwoProtocols } from './two-protocols.ts';

/** HttpRequest is a request over HTTP/1.1 or HTTP/2 (two-protocols.ts); Node's compatibility API gives both one shape. */
export type HttpRequest = IncomingMessage | Http2ServerRequest;

/** HttpResponse is the answer to an HttpRequest: what ServerResponse and Http2ServerResponse both have, and this code uses. */
export interface HttpResponse extends NodeJS.WritableStream {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  /** Bytes written and not yet taken by the connection. */
  readonly writableLength: number;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  /** Sends the head now (an answer that streams); optional in the HTTP/2 typings, present in Node 22. */
  flushHeaders?(): void;
  destroy(): unknown;
}

/** isHttp2 says whether a request came over HTTP/2, where connection headers are not allowed (the session itself says when it closes). */
export function isHttp2(req: HttpRequest): req is Http2ServerRequest {
  return req.httpVersionMajor === 2;
}

/** STOP_GRACE_MS is how long stop() lets requests under way finish before it cuts their connections. */
export const STOP_GRACE_MS = 2_000;

/** HttpServerInit configures a server. */
export interface HttpServerInit {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Answers a request that passed the Host and Origin checks; throws HttpError or ServiceError to refuse it. */
  handle: (req: HttpRequest, res: HttpResponse, url: URL) => Promise<void>;
  log: Logger;
  /** The message of a 500 (an unexpected error), e.g. what to look at and that the notes are safe. */
  internalMessage: string;
  /** The message of the 503 answered while stopping. */
  stoppingMessage: string;
  /** How long stop() waits for requests under way; default STOP_GRACE_MS. */
  graceMs?: number;
}

/** HttpServer serves one local port. */
export class HttpServer {
  private readonly init: HttpServerInit;
  private readonly http1: Http1Server;
  private readonly http2: Http2Server;
  /** The HTTP/2 connections open (HTTP/1.1's are tracked by http1). */
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly listener: TwoProtocols;
  private readonly server: Server;
  private readonly streams = new Set<EventStreamWriter>();
  private allowed = new Set<string>();
  private stopping = false;

  constructor(init: HttpServerInit) {
    this.init = init;
    this.http1 = createServer((req, res) => { void this.serve(req, res); });
    this.http2 = createHttp2Server((req, res) => { void this.serve(req, res); });
    this.http2.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    this.listener = twoProtocols(this.http1, this.http2);
    this.server = this.listener.server;
  }

  /** start listens and returns the server's base URL (without a trailing slash). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.init.port, this.init.host, () => {
        this.server.off('error', reject);
        // http1 gets its connections from twoProtocols, never listens itself: 'listening' starts its tracking of
        // them (its request timeouts, and closeIdleConnections).
        this.http1.emit('listening');
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.allowed = allowedHosts(this.init.host, port);
    return `http://${[...this.allowed][0]}`;
  }

  /** track ends `stream` when the server stops. */
  track(stream: EventStreamWriter): void {
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
  }

  /** stop ends the event streams, refuses new requests, and closes once the requests under way are answered or the grace period is over. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.http1.closeIdleConnections();
    this.listener.closeSilent();
    // An HTTP/2 connection is told to take no new requests (GOAWAY) and closes once those under way are answered.
    for (const session of this.sessions) session.close();
    const grace = setTimeout(() => {
      this.http1.closeAllConnections();
      for (const session of this.sessions) session.destroy();
    }, this.init.graceMs ?? STOP_GRACE_MS);
    await closed;
    clearTimeout(grace);
    this.http1.close(() => {}); // ends its tracking; it was never listening, so its callback only says so
  }

  private async serve(req: HttpRequest, res: HttpResponse): Promise<void> {
    if (this.stopping) {
      if (!isHttp2(req)) res.setHeader('connection', 'close');
      sendJson(res, 503, { error: 'stopping', message: this.init.stoppingMessage });
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      checkHostAndOrigin(req, this.allowed);
      await this.init.handle(req, res, url);
    } catch (error) {
      sendError(res, error, this.init.log, this.init.internalMessage);
    }
  }
}

// HttpServer is the one way this project serves HTTP on a local port (the
// peer's API and the demo's dashboard): Host and Origin checks on every
// request, refusals answered as JSON, the event streams it carries ended at
// stop, and a stop that refuses new requests (503) and lets those under way
// finish for a grace period before it cuts their connections. A page whose
// stream ended asks again at once on the same keep-alive connection: without
// the refusal that connection never went idle and the server never stopped.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../service/logger.ts';
import type { EventStreamWriter } from './event-stream-writer.ts';
import { sendError, sendJson } from './json.ts';
import { allowedHosts, checkHostAndOrigin } from './request-guard.ts';

/** STOP_GRACE_MS is how long stop() lets requests under way finish before it cuts their connections. */
export const STOP_GRACE_MS = 2_000;

/** HttpServerInit configures a server. */
export interface HttpServerInit {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Answers a request that passed the Host and Origin checks; throws HttpError or ServiceError to refuse it. */
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
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
  private readonly server: Server;
  private readonly streams = new Set<EventStreamWriter>();
  private allowed = new Set<string>();
  private stopping = false;

  constructor(init: HttpServerInit) {
    this.init = init;
    this.server = createServer((req, res) => { void this.serve(req, res); });
  }

  /** start listens and returns the server's base URL (without a trailing slash). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.init.port, this.init.host, () => {
        this.server.off('error', reject);
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
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), this.init.graceMs ?? STOP_GRACE_MS);
    await closed;
    clearTimeout(grace);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.stopping) {
      res.setHeader('connection', 'close');
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

// HttpApi is the peer's local API (DESIGN.md §4): JSON over HTTP on 127.0.0.1,
// with a bearer token, and Host and Origin checks so that no web page can
// reach a peer's notes through the user's browser (DNS rebinding, CSRF).
// GET requests outside /api/ get the web UI (StaticFiles) without the token,
// after the same Host and Origin checks; the token is written into the page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../api-error.ts';
import { StaticFiles } from './static-files.ts';

/** MAX_BODY_BYTES bounds a request body: a 64 KiB note, escaped as JSON, fits. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Request is what a route handler gets. */
export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (undefined when there is none). */
  body: unknown;
}

/** ApiAnswer is a status and a JSON body, or a text body of the given content type. */
export interface ApiAnswer {
  status: number;
  body: unknown;
  type?: string;
}

/** Route handles one method and path pattern (`:name` segments are parameters). */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handle: (req: ApiRequest) => Promise<ApiAnswer> | ApiAnswer;
}

/** EventSource feeds a server-sent event stream; it returns a function that stops it. */
export type EventFeed = (send: (event: string, data: unknown) => void) => () => void;

/** HttpApiInit configures an HttpApi. */
export interface HttpApiInit {
  host: string;
  port: number;
  token: string;
  routes: Route[];
  /** Serves GET /api/events. */
  events?: EventFeed;
  /** Serves the web UI at `/` without the token (it goes into the page); default the built renderer, null for none. */
  ui?: StaticFiles | null;
}

/** STOP_GRACE_MS is how long stop() lets requests under way finish before it cuts their connections. */
export const STOP_GRACE_MS = 2_000;

/** HttpApi serves the local API. */
export class HttpApi {
  private readonly init: HttpApiInit;
  private readonly server: Server;
  private readonly token: Buffer;
  private readonly streams = new Set<ServerResponse>();
  private readonly ui: StaticFiles | null;
  private stopping = false;
  private allowedHosts = new Set<string>();

  constructor(init: HttpApiInit) {
    this.init = init;
    this.token = Buffer.from(init.token);
    this.ui = init.ui === undefined ? new StaticFiles() : init.ui;
    this.server = createServer((req, res) => { void this.serve(req, res); });
  }

  /** start listens and returns the API's base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.init.port, this.init.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.allowedHosts = allowedHosts(this.init.host, port);
    return `http://${[...this.allowedHosts][0]}`;
  }

  /**
   * stop ends the event streams, refuses new requests, and closes the server
   * once the requests under way are answered (their connections are cut after
   * STOP_GRACE_MS). A page whose stream ended asks again at once on the same
   * keep-alive connection: without the refusal that connection never went
   * idle and the peer never finished stopping.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const res of this.streams) res.end();
    this.streams.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearTimeout(grace);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.stopping) {
      res.setHeader('connection', 'close');
      send(res, 503, { error: 'stopping', message: 'This peer is stopping; start it again, or use another peer.' });
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      this.checkHostAndOrigin(req);
      if (this.ui !== null && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
        await this.ui.serve(url.pathname, res, this.init.token);
        return;
      }
      this.checkToken(req);
      if (req.method === 'GET' && url.pathname === '/api/events' && this.init.events !== undefined) {
        this.openEvents(res, this.init.events);
        return;
      }
      const [route, params] = this.match(req.method ?? 'GET', url.pathname);
      const body = await readJson(req);
      const answer = await route.handle({ params, query: url.searchParams, body });
      if (answer.type !== undefined) {
        res.writeHead(answer.status, { 'content-type': answer.type, 'cache-control': 'no-store' });
        res.end(String(answer.body));
      } else {
        send(res, answer.status, answer.body);
      }
    } catch (error) {
      if (error instanceof ApiError) {
        send(res, error.status, { error: error.code, message: error.message, ...error.extra });
      } else {
        console.error('api: unexpected error', error);
        send(res, 500, { error: 'internal', message: 'The peer hit an unexpected error; see its log. Your notes are safe.' });
      }
    }
  }

  private checkHostAndOrigin(req: IncomingMessage): void {
    checkHostAndOrigin(req, this.allowedHosts);
  }

  private checkToken(req: IncomingMessage): void {
    checkBearerToken(req, this.token);
  }

  private match(method: string, path: string): [Route, Record<string, string>] {
    const parts = path.split('/');
    let pathMatched = false;
    for (const route of this.init.routes) {
      const pattern = route.path.split('/');
      if (pattern.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = pattern.every((p, i) => {
        if (p.startsWith(':')) {
          params[p.slice(1)] = decodeURIComponent(parts[i]!);
          return parts[i]!.length > 0;
        }
        return p === parts[i];
      });
      if (!ok) continue;
      pathMatched = true;
      if (route.method === method) return [route, params];
    }
    if (pathMatched) throw new ApiError(405, 'method-not-allowed', `${method} is not supported on ${path}.`);
    throw new ApiError(404, 'not-found', `There is no API at ${path}.`);
  }

  private openEvents(res: ServerResponse, feed: EventFeed): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.streams.add(res);
    const stop = feed((event, data) => {
      // stop() ends the stream before its 'close'; a stopping peer still logs, and a write after end would throw.
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    res.on('close', () => {
      stop();
      this.streams.delete(res);
    });
  }
}

/** allowedHosts is the set of Host header values a server bound to `host`:`port` answers (all loopback names for a loopback bind). */
export function allowedHosts(host: string, port: number): Set<string> {
  const bound = host.includes(':') ? `[${host}]` : host;
  const hosts = new Set([`${bound}:${port}`]);
  if (host === '127.0.0.1' || host === '::1' || host === 'localhost') {
    for (const h of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${h}:${port}`);
  }
  return hosts;
}

/** checkHostAndOrigin refuses (403) a request whose Host or Origin is not one of `allowed` (DNS rebinding, CSRF). */
export function checkHostAndOrigin(req: IncomingMessage, allowed: Set<string>): void {
  const host = req.headers.host ?? '';
  if (!allowed.has(host)) {
    throw new ApiError(403, 'forbidden-host', `Requests must be addressed to ${[...allowed][0]}; Host ${JSON.stringify(host)} is refused.`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.has(origin.replace(/^http:\/\//, ''))) {
    throw new ApiError(403, 'forbidden-origin', `Pages from ${origin} may not use this API.`);
  }
}

/** checkBearerToken refuses (401) a request without `Authorization: Bearer <token>`, compared in constant time. */
export function checkBearerToken(req: IncomingMessage, token: Buffer): void {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  if (given.byteLength !== token.byteLength || !timingSafeEqual(given, token)) {
    throw new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <token>, with the token from the ready line or <data>/api-token.');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * readJson reads the request's body as JSON (undefined when empty). It listens
 * for 'data' and 'end' rather than iterating the request, which is on every
 * write's path: measured on the bench machine (3 peers, 1 write in flight,
 * the first seconds after start), from the request to its parsed body took
 * 0.45-0.7 ms with the async iterator, 0.19-0.28 ms with the events.
 */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      // Past the limit the rest is read and dropped, so the answer reaches the client.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    // A client gone before the end of its body ('error': aborted, then 'close'): nobody reads the
    // answer, but the handler must not wait forever, nor log it as an unexpected error.
    const cut = () => {
      if (!ended) reject(new ApiError(400, 'incomplete-body', 'The request body ended early; send it again.'));
    };
    req.once('error', cut);
    req.once('close', cut);
    req.once('end', () => {
      ended = true;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'too-large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes; a note's text to 65,536 bytes.`));
      } else if (size === 0) {
        resolve(undefined);
      } else {
        try {
          resolve(JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
        } catch {
          reject(new ApiError(400, 'invalid-json', 'The request body must be JSON, e.g. {"text":"…"}.'));
        }
      }
    });
  });
}

// HttpApi is the peer's local API over HTTP (docs/api.md): JSON on 127.0.0.1
// with a bearer token, GET /api/events as server-sent events, and the web UI
// at `/` (the token written into the page). operationRoutes turns the
// operation table into its routes: the input of each request (path
// parameters, then the JSON body or the query string) is checked by the
// operation's schema, and the result answered as the operation says.
import type { HttpRequest, HttpResponse } from './http-server.ts';
import { ServiceError, UNEXPECTED_ERROR_MESSAGE } from '../../service/errors.ts';
import { createLogger, type Logger } from '../../service/logger.ts';
import type { NotesService } from '../../service/notes-service.ts';
import type { EventFeed } from '../events.ts';
import { callOperation } from '../call.ts';
import { changeToWire } from '../note-columns.ts';
import { OPERATIONS, type AnyOperation, type HttpAnswer, type OperationName } from '../operations.ts';
import { EventStreamWriter, eventFrame } from './event-stream-writer.ts';
import { HttpServer } from './http-server.ts';
import { readJson, sendJson, sendText } from './json.ts';
import { checkBearerToken } from './request-guard.ts';
import { Router, type HttpMethod } from './router.ts';
import { StaticFiles } from './static-files.ts';

/** JsonRequest is what a JSON route gets: the path's parameters, the query, and the parsed body (undefined when empty). */
export interface JsonRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

/** JsonRoute answers one method and path of the API. */
export interface JsonRoute {
  method: HttpMethod;
  path: string;
  handle: (req: JsonRequest) => HttpAnswer | Promise<HttpAnswer>;
}

/** HttpApiInit configures an HttpApi. */
export interface HttpApiInit {
  host: string;
  port: number;
  token: string;
  routes: JsonRoute[];
  /** Serves GET /api/events. */
  events?: EventFeed;
  /** Serves the web UI at `/` without the token (it goes into the page); default the built renderer, null for none. */
  ui?: StaticFiles | null;
  log?: Logger;
}

/** HttpApi serves the local API. */
export class HttpApi {
  private readonly init: HttpApiInit;
  private readonly server: HttpServer;
  private readonly router = new Router();
  private readonly token: Buffer;
  private readonly ui: StaticFiles | null;

  constructor(init: HttpApiInit) {
    this.init = init;
    this.token = Buffer.from(init.token);
    this.ui = init.ui === undefined ? new StaticFiles() : init.ui;
    for (const route of init.routes) this.router.on(route.method, route.path, (req, res, ctx) => this.answer(route, req, res, ctx.params, ctx.url));
    const events = init.events;
    if (events !== undefined) this.router.on('GET', '/api/events', (_req, res) => this.openEvents(res, events));
    this.server = new HttpServer({
      host: init.host, port: init.port, log: init.log ?? createLogger('api'),
      handle: (req, res, url) => this.serve(req, res, url),
      internalMessage: UNEXPECTED_ERROR_MESSAGE,
      stoppingMessage: 'This peer is stopping; start it again, or use another peer.',
    });
  }

  /** start listens and returns the API's base URL. */
  start(): Promise<string> {
    return this.server.start();
  }

  /** stop ends the event streams and closes the server (HttpServer.stop). */
  stop(): Promise<void> {
    return this.server.stop();
  }

  private async serve(req: HttpRequest, res: HttpResponse, url: URL): Promise<void> {
    if (this.ui !== null && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      await this.ui.serve(url.pathname, res, this.init.token);
      return;
    }
    checkBearerToken(req, this.token);
    await this.router.route(req, res, url);
  }

  private async answer(route: JsonRoute, req: HttpRequest, res: HttpResponse, params: Record<string, string>, url: URL): Promise<void> {
    const body = await readJson(req);
    const answer = await route.handle({ params, query: url.searchParams, body });
    if (answer.type !== undefined) sendText(res, answer.status, answer.type, String(answer.body));
    else sendJson(res, answer.status, answer.body);
  }

  private openEvents(res: HttpResponse, feed: EventFeed): void {
    const stream = new EventStreamWriter(res);
    this.server.track(stream);
    // The events the feed sends while subscribing are the first picture, written at once; the parts of a
    // big document that follow belong to it too (the backlog's bound applies beyond them).
    let first: string | null = '';
    let picture = true;
    const stop = feed(({ event, data }) => {
      // A `notes` event carries its notes as columns (note-columns.ts).
      const frame = eventFrame(event, event === 'notes' ? changeToWire(data) : data);
      if (first !== null) first += frame;
      else if (picture) stream.writeFirst(frame);
      else stream.write(frame);
      if (event === 'notes') picture = data.more;
    });
    stream.writeFirst(first);
    first = null;
    stream.onClose(stop);
  }
}

/** operationRoutes is a JSON route for each operation of the table, run against `service`. */
export function operationRoutes(service: NotesService): JsonRoute[] {
  return (Object.keys(OPERATIONS) as OperationName[]).map((name) => {
    const { http }: AnyOperation = OPERATIONS[name];
    return {
      method: http.method,
      path: http.path,
      handle: async ({ params, query, body }) => {
        const raw = http.from === 'body' ? (isPlainObject(body) ? { ...body, ...params } : body)
          : http.from === 'query' ? { ...queryFields(query), ...params }
          : { ...queryOrBody(queryFields(query), body), ...params };
        const result = await callOperation(service, name, raw);
        return http.answer?.(result) ?? { status: 200, body: result };
      },
    };
  });
}

/** queryOrBody merges the query's fields with the body's (a JSON object, or none); a field given in both with two values is refused. */
function queryOrBody(query: Record<string, string | number>, body: unknown): Record<string, unknown> {
  if (body === undefined) return query;
  if (!isPlainObject(body)) throw new ServiceError('invalid-request', 'The request body must be a JSON object, e.g. {"version":1}, or be left empty.');
  for (const [key, value] of Object.entries(body)) {
    if (key in query && query[key] !== value) {
      throw new ServiceError('invalid-request', `"${key}" is given twice, in the query (${query[key]}) and in the body (${JSON.stringify(value)}): give it once.`);
    }
  }
  return { ...query, ...body };
}

/** queryFields reads a query string as input fields: whole numbers (up to 16 digits) as numbers, the rest as strings. */
function queryFields(query: URLSearchParams): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of query) out[k] = /^\d{1,16}$/.test(v) ? Number(v) : v;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Router maps a method and a path onto a handler, with `:name` parameters
// (find-my-way, the router of Fastify and Restify). A path that exists for
// other methods only is refused with 405, any other with 404.
import FindMyWay from 'find-my-way';
import type { HttpRequest, HttpResponse } from './http-server.ts';
import { HttpError } from './http-error.ts';

/** HttpMethod is a method the servers route. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** RouteContext is what a handler gets besides the request and the answer. */
export interface RouteContext {
  /** The path's parameters, percent-decoded. */
  params: Record<string, string>;
  url: URL;
}

/** RouteHandler answers one request; it throws HttpError or ServiceError to refuse it. */
export type RouteHandler = (req: HttpRequest, res: HttpResponse, ctx: RouteContext) => Promise<void> | void;

/** Router holds the routes of one server. */
export class Router {
  private readonly routes = FindMyWay({ maxParamLength: 500 });

  /** on routes `method` and `path` (e.g. `/api/notes/:id`) to `handler`. */
  on(method: HttpMethod, path: string, handler: RouteHandler): void {
    this.routes.on(method, path, () => {}, handler);
  }

  /** route runs the handler of the request's method and path. */
  async route(req: HttpRequest, res: HttpResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET') as HttpMethod;
    const path = url.pathname;
    const found = METHODS.includes(method) ? this.routes.find(method, path) : null;
    if (found === null) {
      if (METHODS.some((m) => this.routes.find(m, path) !== null)) {
        throw new HttpError(405, 'method-not-allowed', `${method} is not supported on ${path}.`);
      }
      throw new HttpError(404, 'not-found', `There is no API at ${path}.`);
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(found.params)) if (v !== undefined) params[k] = v;
    await (found.store as RouteHandler)(req, res, { params, url });
  }
}

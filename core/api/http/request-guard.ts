// The checks every request to a local server passes before anything else
// (the peer's API and the demo's dashboard): Host and Origin must be the
// server's own, so no web page can reach it through the user's browser (DNS
// rebinding, CSRF), and API requests carry the bearer token.
import type { HttpRequest } from './http-server.ts';
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.ts';

/** allowedHosts is the set of Host header values a server bound to `host`:`port` answers (all loopback names for a loopback bind). */
export function allowedHosts(host: string, port: number): Set<string> {
  const bound = host.includes(':') ? `[${host}]` : host;
  const hosts = new Set([`${bound}:${port}`]);
  if (host === '127.0.0.1' || host === '::1' || host === 'localhost') {
    for (const h of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${h}:${port}`);
  }
  return hosts;
}

/** checkHostAndOrigin refuses (403) a request whose Host or Origin is not one of `allowed`. */
export function checkHostAndOrigin(req: HttpRequest, allowed: Set<string>): void {
  // HTTP/2 names the host in its :authority pseudo-header (a Host header is optional there).
  const host = req.headers.host ?? (req.headers as Record<string, string | undefined>)[':authority'] ?? '';
  if (!allowed.has(host)) {
    throw new HttpError(403, 'forbidden-host', `Requests must be addressed to ${[...allowed][0]}; Host ${JSON.stringify(host)} is refused.`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.has(origin.replace(/^http:\/\//, ''))) {
    throw new HttpError(403, 'forbidden-origin', `Pages from ${origin} may not use this API.`);
  }
}

/** checkBearerToken refuses (401) a request without `Authorization: Bearer <token>`, compared in constant time. */
export function checkBearerToken(req: HttpRequest, token: Buffer): void {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  if (given.byteLength !== token.byteLength || !timingSafeEqual(given, token)) {
    throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <token>, with the token from the ready line or <data>/api-token.');
  }
}

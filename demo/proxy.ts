// proxyToPeer forwards one dashboard request to a demo peer's local API with
// that peer's token, and streams the answer back as it comes (so the
// server-sent event stream /api/events flows through unbuffered). Only the
// headers an API call needs cross: never the browser's cookies, Origin or Host.
import { request as httpRequest } from 'node:http';
import type { HttpRequest, HttpResponse } from '../core/api/http/http-server.ts';

import { sendJson } from '../core/api/http/json.ts';

/** PeerTarget is where a running peer's API answers and its token. */
export interface PeerTarget {
  name: string;
  url: string;
  token: string;
}

const FORWARDED_REQUEST_HEADERS = ['content-type', 'content-length', 'accept', 'last-event-id'];
const FORWARDED_ANSWER_HEADERS = ['content-type', 'cache-control', 'content-length'];

/** proxyToPeer sends `req` to `path` (with its query) on `target` and pipes the answer into `res`. */
export function proxyToPeer(req: HttpRequest, res: HttpResponse, target: PeerTarget, path: string): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { authorization: `Bearer ${target.token}` };
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const upstream = httpRequest(new URL(path, target.url), { method: req.method ?? 'GET', headers }, (answer) => {
      const out: Record<string, string> = { 'x-content-type-options': 'nosniff' };
      for (const h of FORWARDED_ANSWER_HEADERS) {
        const v = answer.headers[h];
        if (typeof v === 'string') out[h] = v;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      res.flushHeaders?.();
      answer.pipe(res);
      answer.once('end', resolve);
      answer.once('error', () => { res.destroy(); resolve(); });
    });
    // A browser that goes away (a closed event stream) ends the upstream request too.
    res.once('close', () => { upstream.destroy(); resolve(); });
    upstream.once('error', () => {
      if (!res.headersSent) {
        sendJson(res, 502, { error: 'peer-unreachable', message: `Node ${target.name} does not answer; it may have just stopped. Restart it, or try again.` });
      } else {
        res.destroy();
      }
      resolve();
    });
    req.pipe(upstream);
  });
}

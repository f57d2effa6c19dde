// JSON in and out of the HTTP servers (the peer's API and the demo's): one
// sender for answers and errors, and the request body reader.
import type { HttpRequest, HttpResponse } from './http-server.ts';
import { ServiceError } from '../../service/errors.ts';
import type { Logger } from '../../service/logger.ts';
import { ERROR_STATUS, HttpError } from './http-error.ts';

/** MAX_BODY_BYTES bounds a request body: a 64 KiB note, escaped as JSON, fits. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** sendJson answers `body` as JSON with `status` (nothing when an answer already started). */
export function sendJson(res: HttpResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** sendText answers `body` as text of `type`, not cached. */
export function sendText(res: HttpResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * sendError answers a refusal as `{ error, message, ...extra }`: an HttpError
 * with its status, a ServiceError with ERROR_STATUS's, and anything else as a
 * 500 that says the notes are safe (logged with its stack on `log`).
 */
export function sendError(res: HttpResponse, error: unknown, log: Logger, internalMessage: string): void {
  if (error instanceof HttpError) {
    sendJson(res, error.status, { error: error.code, message: error.message, ...error.extra });
  } else if (error instanceof ServiceError) {
    sendJson(res, ERROR_STATUS[error.code], { error: error.code, message: error.message, ...error.extra });
  } else {
    log.error('unexpected error', error);
    sendJson(res, 500, { error: 'internal', message: internalMessage });
  }
}

/**
 * readJson reads the request's body as JSON (undefined when empty). It listens
 * for 'data' and 'end' rather than iterating the request, which is on every
 * write's path and measured faster (bench/results/design.md).
 */
export function readJson(req: HttpRequest): Promise<unknown> {
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
      if (!ended) reject(new HttpError(400, 'incomplete-body', 'The request body ended early; send it again.'));
    };
    req.once('error', cut);
    req.once('close', cut);
    req.once('end', () => {
      ended = true;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'too-large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes; a note's text to 65,536 bytes.`));
      } else if (size === 0) {
        resolve(undefined);
      } else {
        try {
          resolve(JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
        } catch {
          reject(new HttpError(400, 'invalid-json', 'The request body must be JSON, e.g. {"text":"…"}.'));
        }
      }
    });
  });
}

// One request, one response, on a short-lived libp2p stream: each message is
// `varint(len) || bytes` with a hard size limit (libp2p's lpStream). Used by
// /raftnotes/join/1 and /raftnotes/status/1; the protocols supply the codecs.
import { lpStream } from '@libp2p/utils';
import type { Libp2p, Logger, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { isUnsupportedProtocol, IsolatedError, otherVersionMessage, ProtocolError } from './errors.ts';
import type { IsolationGate } from './isolation-gate.ts';

/** MAX_REQUEST_BYTES bounds each request and response message: 64 KiB. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** REQUEST_TIMEOUT_MS is how long a request (or a handler reading one) waits by default. */
export const REQUEST_TIMEOUT_MS = 5000;

/** RequestOptions lets a caller bound or cancel a request. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Default REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Responder answers one request from peer `from` (its libp2p peer id); it may throw to close the stream. */
export type Responder = (request: Uint8Array, from: string) => Promise<Uint8Array> | Uint8Array;

/** RequestResponseComponents are what the helpers run on. */
export interface RequestResponseComponents {
  libp2p: Libp2p;
  gate: IsolationGate;
  log: Logger;
}

/** handleRequests registers `responder` for `protocol`, replacing any earlier one. */
export async function handleRequests(c: RequestResponseComponents, protocol: string, responder: Responder): Promise<void> {
  await c.libp2p.handle(protocol, async (stream, connection) => {
    const from = connection.remotePeer.toString();
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      if (c.gate.isolated) throw new IsolatedError();
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
      const request = await lp.read({ signal });
      const response = await responder(request.subarray(), from);
      if (response.byteLength > MAX_REQUEST_BYTES) throw new ProtocolError(`response of ${response.byteLength} bytes is too large`);
      await lp.write(response, { signal });
      await stream.close({ signal });
    } catch (err) {
      c.log('%s request from %s failed: %s', protocol, from, (err as Error).message);
      stream.abort(err as Error);
    }
  }, { force: true, maxInboundStreams: 16 });
}

/** request sends one request on `protocol` to a peer (by id or multiaddr) and returns the response bytes. */
export async function request(
  c: RequestResponseComponents, target: PeerId | Multiaddr, protocol: string, body: Uint8Array, options: RequestOptions = {},
): Promise<Uint8Array> {
  if (c.gate.isolated) throw new IsolatedError();
  const signals = [AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS)];
  if (options.signal !== undefined) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  let stream;
  try {
    stream = await c.libp2p.dialProtocol(target, protocol, { signal });
  } catch (err) {
    if (isUnsupportedProtocol(err)) throw new ProtocolError(otherVersionMessage(target.toString(), protocol), { cause: err });
    throw new ProtocolError(`cannot open ${protocol} to ${target.toString()}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
    await lp.write(body, { signal });
    const response = await lp.read({ signal });
    await stream.close({ signal }).catch(() => {});
    return response.subarray();
  } catch (err) {
    stream.abort(err as Error);
    throw new ProtocolError(`${protocol} request to ${target.toString()} failed: ${(err as Error).message}`, { cause: err });
  }
}

// Requests and responses on one long-lived libp2p stream per peer: the same
// `varint(len) || bytes` messages as ./request-response.ts, but the asker
// keeps the stream open and sends its next request on it, one at a time, and
// the answerer reads requests in a loop. Used by /raftnotes/status/2, which
// every member polls twice a second.
//
// Why: a stream per request costs a stream opening (yamux SYN/ACK, protocol
// negotiation, a logger, peer-store updates) and its closing on both sides,
// which took half of idle peers' CPU (bench/results/design.md).
//
// A request that fails or times out aborts its stream (a late answer must not
// be read as the answer to the next request); the next request opens a new one.
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { IsolatedError, ProtocolError } from './errors.ts';
import { MAX_REQUEST_BYTES, REQUEST_TIMEOUT_MS } from './request-response.ts';
import type { RequestOptions, RequestResponseComponents, Responder } from './request-response.ts';

/** How many request streams one peer may keep open to this one (one per protocol is the rule). */
const MAX_INBOUND_STREAMS = 8;

/** handleRequestStreams registers `responder` for `protocol`: each stream is read request after request until it closes. */
export async function handleRequestStreams(c: RequestResponseComponents, protocol: string, responder: Responder): Promise<void> {
  await c.libp2p.handle(protocol, async (stream, connection) => {
    const from = connection.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
    try {
      for (;;) {
        const request = await lp.read();
        if (c.gate.isolated) throw new IsolatedError();
        const response = await responder(request.subarray(), from);
        if (response.byteLength > MAX_REQUEST_BYTES) throw new ProtocolError(`response of ${response.byteLength} bytes is too large`);
        await lp.write(response, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      }
    } catch (err) {
      // The asker closed the stream, the connection went, or a request was bad: this stream is done.
      c.log('%s stream from %s ended: %s', protocol, from, (err as Error).message);
      stream.abort(err as Error);
    }
  }, { force: true, maxInboundStreams: MAX_INBOUND_STREAMS });
}

interface OpenStream {
  stream: Stream;
  lp: LengthPrefixedStream<Stream>;
}

/** RequestStreams sends requests of one protocol to peers, each over a stream kept open for the next request. */
export class RequestStreams {
  private readonly c: RequestResponseComponents;
  private readonly protocol: string;
  private readonly streams = new Map<string, Promise<OpenStream>>();
  /** Per peer, the request in progress: requests to one peer run one after another. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(c: RequestResponseComponents, protocol: string) {
    this.c = c;
    this.protocol = protocol;
  }

  /** request sends `body` to `peerId` and returns the response bytes; it throws ProtocolError on failure or timeout. */
  request(peerId: string, body: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    const previous = this.busy.get(peerId) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.send(peerId, body, options));
    const settled = run.catch(() => {});
    this.busy.set(peerId, settled);
    void settled.then(() => { if (this.busy.get(peerId) === settled) this.busy.delete(peerId); });
    return run;
  }

  /** closeAll aborts every open stream. */
  closeAll(): void {
    for (const [peerId, open] of this.streams) {
      this.streams.delete(peerId);
      open.then((o) => o.stream.abort(new Error('closed')), () => {});
    }
  }

  private async send(peerId: string, body: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    if (this.c.gate.isolated) throw new IsolatedError();
    const signals = [AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS)];
    if (options.signal !== undefined) signals.push(options.signal);
    const signal = AbortSignal.any(signals);
    let pending = this.streams.get(peerId);
    if (pending === undefined) {
      pending = this.open(peerId, signal);
      this.streams.set(peerId, pending);
    }
    let open: OpenStream;
    try {
      open = await pending;
    } catch (err) {
      if (this.streams.get(peerId) === pending) this.streams.delete(peerId);
      throw new ProtocolError(`cannot open ${this.protocol} to ${peerId}: ${(err as Error).message}`, { cause: err });
    }
    try {
      await open.lp.write(body, { signal });
      return (await open.lp.read({ signal })).subarray();
    } catch (err) {
      if (this.streams.get(peerId) === pending) this.streams.delete(peerId);
      open.stream.abort(err as Error);
      throw new ProtocolError(`${this.protocol} request to ${peerId} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async open(peerId: string, signal: AbortSignal): Promise<OpenStream> {
    const stream = await this.c.libp2p.dialProtocol(peerIdFromString(peerId), this.protocol, { signal });
    stream.addEventListener('close', () => {
      void this.streams.get(peerId)?.then((o) => { if (o.stream === stream) this.streams.delete(peerId); }, () => {});
    });
    // The answerer never closes first; when it does, close ours too so the stream is freed (docs/architecture.md, "Stream facts").
    stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}); });
    return { stream, lp: lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES }) };
  }
}

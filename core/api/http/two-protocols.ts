// One local port, two protocols: HTTP/1.1, which browsers and most clients
// speak, and HTTP/2 without TLS (h2c with prior knowledge, RFC 9113 §3.3),
// which lets a program carry many requests at once over one connection, as
// etcd's gRPC clients do. Each connection is read until its first bytes say
// which: the HTTP/2 connection preface, or anything else (HTTP/1.1). Those
// bytes are put back and the socket handed to the server of that protocol.
//
// Why: a write over HTTP/1.1 costs the peer a read and a write on its own
// connection; over one HTTP/2 connection, the requests and answers that
// arrive together share reads and writes. With 64 writes in flight the three
// peers' CPU per write fell by about a fifth (bench/results/design.md).
import type { Server as Http1Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';

/** PREFACE is how every HTTP/2 connection starts (RFC 9113 §3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** FIRST_BYTES_MS is how long a new connection may stay silent before it is closed (no server has it yet to time it out). */
export const FIRST_BYTES_MS = 60_000;

/** isHttp2Start says whether the first bytes of a connection are (the start of) the HTTP/2 preface. */
export function isHttp2Start(first: Uint8Array): boolean {
  const n = Math.min(first.byteLength, PREFACE.byteLength);
  return n > 0 && PREFACE.subarray(0, n).equals(first.subarray(0, n));
}

/** TwoProtocols is the listening socket, and the connections it holds that have not said their protocol yet. */
export interface TwoProtocols {
  server: Server;
  /** closeSilent closes the connections that sent nothing yet (no request is under way on them). */
  closeSilent(): void;
}

/** twoProtocols is a listening socket that hands each connection to `http1` or `http2` by its first bytes. */
export function twoProtocols(http1: Http1Server, http2: Http2Server, firstBytesMs = FIRST_BYTES_MS): TwoProtocols {
  const silent = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    silent.add(socket);
    const timer = setTimeout(() => socket.destroy(), firstBytesMs);
    const fail = () => socket.destroy();
    socket.once('error', fail);
    socket.once('close', () => {
      clearTimeout(timer);
      silent.delete(socket);
    });
    socket.once('readable', () => {
      clearTimeout(timer);
      silent.delete(socket);
      socket.off('error', fail);
      const first = socket.read() as Buffer | null;
      if (first === null) {
        socket.destroy(); // closed before a byte came
        return;
      }
      socket.unshift(first);
      (isHttp2Start(first) ? http2 : http1).emit('connection', socket);
    });
  });
  return { server, closeSilent: () => { for (const socket of silent) socket.destroy(); } };
}

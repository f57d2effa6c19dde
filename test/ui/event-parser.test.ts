// The client's reader of server-sent events (openEventStream in
// client/event-stream.ts, used by the pages and the demo server) against a local server that delivers the
// stream the way a network does: in chunks cut anywhere, a CRLF split in two.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStream, type ServerEvent } from '../../client/event-stream.ts';
import { waitFor } from '../cluster/peer-process.ts';

const STREAM = ': connected\n\nevent: status\ndata: {"role":"leader"}\n\nevent: log\r\ndata: line one\r\ndata: line two\r\n\r\ndata: plain\n\n';
const EXPECTED: ServerEvent[] = [
  { event: 'status', data: '{"role":"leader"}' },
  { event: 'log', data: 'line one\nline two' },
  { event: 'message', data: 'plain' },
];

let server: Server | null = null;
let close: (() => void) | null = null;
afterEach(async () => {
  close?.();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  server = null;
});

/** serve answers every request with `answer` and returns the URL. */
async function serve(answer: (res: ServerResponse, n: number, auth: string | undefined) => void): Promise<string> {
  let n = 0;
  server = createServer((req, res) => answer(res, ++n, req.headers.authorization));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
}

/** writeInChunks writes `text` in pieces of `size` characters, each flushed on its own. */
async function writeInChunks(res: ServerResponse, text: string, size: number): Promise<void> {
  for (let i = 0; i < text.length; i += size) {
    await new Promise<void>((resolve) => res.write(text.slice(i, i + size), () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('openEventStream', () => {
  it('parses events, multi-line data, comments and CRLF line ends cut into chunks of any size', async () => {
    const url = await serve((res, n) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Connection n gets chunks of n characters: 1 splits every CRLF in two.
      void writeInChunks(res, STREAM, n).then(() => res.end());
    });
    const events: ServerEvent[] = [];
    const states: string[] = [];
    close = openEventStream({
      url, headers: { authorization: 'Bearer t' }, minBackoffMs: 10, maxBackoffMs: 10,
      onEvent: (e) => events.push(e),
      onState: (state) => states.push(state),
    });
    // Each connection ends after its events; the stream reconnects and gets them again, cut differently.
    await waitFor('events of 7 connections', () => events.length >= 7 * EXPECTED.length);
    close();
    for (let c = 0; c < 7; c++) expect(events.slice(c * 3, c * 3 + 3), `connection ${c + 1}`).toEqual(EXPECTED);
    expect(states.slice(0, 4)).toEqual(['open', 'reconnecting', 'open', 'reconnecting']);
  });

  it('sends the headers and reports the server\'s refusal message while it retries', async () => {
    const url = await serve((res, _n, auth) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized', message: `wrong token: ${auth}` }));
    });
    const refusals: Array<string | undefined> = [];
    close = openEventStream({
      url, headers: { authorization: 'Bearer nope' }, minBackoffMs: 10, maxBackoffMs: 20,
      onEvent: () => {},
      onState: (state, _wait, refusal) => { if (state === 'reconnecting') refusals.push(refusal); },
    });
    await waitFor('two refusals', () => refusals.length >= 2);
    expect(refusals.slice(0, 2)).toEqual(['wrong token: Bearer nope', 'wrong token: Bearer nope']);
  });
});

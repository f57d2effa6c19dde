import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStreamWriter } from './event-stream-writer.ts';

/** streamToStalledClient answers one request with a writer, to a client that reads nothing. */
async function streamToStalledClient(maxBufferedBytes: number): Promise<{ writer: EventStreamWriter; close: () => void }> {
  let resolve!: (res: ServerResponse) => void;
  const answered = new Promise<ServerResponse>((r) => { resolve = r; });
  const server = createServer((_req, res) => resolve(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' }, (res) => { res.on('error', () => {}); res.pause(); });
  req.on('error', () => {}); // the writer drops this client on purpose
  req.end();
  const writer = new EventStreamWriter(await answered, { maxBufferedBytes });
  return { writer, close: () => { req.destroy(); server.closeAllConnections(); server.close(); } };
}

let close = () => {};
afterEach(() => close());

describe('EventStreamWriter', () => {
  it('writes a first picture bigger than the bound, then drops a client whose backlog passes the bound beyond it', async () => {
    const stream = await streamToStalledClient(64 * 1024);
    close = stream.close;
    const big = 'x'.repeat(1024 * 1024);
    expect(stream.writer.writeFirst(`data: ${big}\n\n`)).toBe(true);
    expect(stream.writer.send('small', { n: 1 })).toBe(true);
    expect(stream.writer.closed).toBe(false);
    let sent = 0;
    while (stream.writer.send('more', 'y'.repeat(16 * 1024)) && sent < 1000) sent++;
    expect(stream.writer.closed).toBe(true);
    expect(sent).toBeLessThan(1000);
  });
});

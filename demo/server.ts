// DemoServer is the dashboard of `raftnotes demo` on 127.0.0.1: the page
// (dist/renderer/demo.html, with the dashboard's own token written into it),
// its control API, and a proxy to each peer's API. It makes the same Host and
// Origin checks as a peer's API (http-api.ts), so no other web page can drive
// the cluster through the user's browser.
//
//   GET  /api/demo/events                one server-sent event stream of every peer (demo-events.ts): process,
//                                        upstream, status, notes and log events, each {"peer":"A","data":…}
//   GET  /api/demo/peers                 {peers: [{name, state, api, pid, peerId, port, dataDir, lastExit}], dataDir, temporary}
//   POST /api/demo/peers/<name>/stop     stop gently (SIGTERM: a leader hands over first)
//   POST /api/demo/peers/<name>/crash    kill -9
//   POST /api/demo/peers/<name>/start    start again on its data
//   ANY  /peers/<name>/api/…             that peer's own API (isolate, leadership, notes, log, events…)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../core/api/api-error.ts';
import { allowedHosts, checkBearerToken, checkHostAndOrigin } from '../core/api/http/http-api.ts';
import { StaticFiles } from '../core/api/http/static-files.ts';
import { proxyToPeer } from './proxy.ts';
import { DemoEvents } from './events.ts';
import type { DemoCluster } from './cluster.ts';

/** DemoServerInit configures the dashboard. */
export interface DemoServerInit {
  cluster: DemoCluster;
  port: number;
  /** Whether the cluster's directory goes away at exit (shown on the page). */
  temporary: boolean;
  /** The built page and assets; default dist/renderer with demo.html at `/`. */
  ui?: StaticFiles;
  /** Reports a node action ("crashed A") for the demo's own output. */
  log?: (line: string) => void;
}

/** DemoServer serves the dashboard. */
export class DemoServer {
  /** The token the page carries; every API and proxy request needs it. */
  readonly token = randomBytes(24).toString('base64url');
  private readonly init: DemoServerInit;
  private readonly server: Server;
  private readonly ui: StaticFiles;
  private allowed = new Set<string>();
  /** The one event stream the page follows, fed by every running peer's own. */
  readonly events = new DemoEvents();
  private readonly unwatch: () => void;

  constructor(init: DemoServerInit) {
    this.init = init;
    this.ui = init.ui ?? new StaticFiles({ index: 'demo.html' });
    this.unwatch = init.cluster.watch((node) => this.events.update(node.view(), node.api));
    for (const node of init.cluster.nodes) this.events.update(node.view(), node.api);
    this.server = createServer((req, res) => { void this.serve(req, res); });
  }

  /** start listens on 127.0.0.1 and returns the dashboard's URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.init.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.allowed = allowedHosts('127.0.0.1', port);
    return `http://127.0.0.1:${port}/`;
  }

  /** stop closes the server and every open stream. */
  async stop(): Promise<void> {
    this.unwatch();
    this.events.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      checkHostAndOrigin(req, this.allowed);
      const path = url.pathname;
      if (!path.startsWith('/api/') && !path.startsWith('/peers/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'method-not-allowed', `${req.method} is not supported on ${path}.`);
        await this.ui.serve(path, res, this.token);
        return;
      }
      checkBearerToken(req, Buffer.from(this.token));
      const peer = /^\/peers\/([^/]+)(\/api\/.*)$/.exec(path);
      if (peer !== null) {
        const node = this.node(decodeURIComponent(peer[1]!));
        if (node.api === null || node.state !== 'running') {
          throw new ApiError(503, 'peer-stopped', `Node ${node.name} is ${node.state}; start it again (Restart ${node.name}).`);
        }
        await proxyToPeer(req, res, { name: node.name, ...node.api }, `${peer[2]}${url.search}`);
        return;
      }
      await this.control(req, res, path);
    } catch (error) {
      if (error instanceof ApiError) {
        sendJson(res, error.status, { error: error.code, message: error.message });
      } else {
        this.init.log?.(`dashboard: unexpected error: ${(error as Error).stack ?? String(error)}`);
        sendJson(res, 500, { error: 'internal', message: 'The demo hit an unexpected error; see its output.' });
      }
    }
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const { cluster } = this.init;
    if (path === '/api/demo/events') {
      if (req.method !== 'GET') throw new ApiError(405, 'method-not-allowed', `${req.method} is not supported on ${path}; use GET.`);
      this.events.subscribe(req, res);
      return;
    }
    if (path === '/api/demo/peers') {
      if (req.method !== 'GET') throw new ApiError(405, 'method-not-allowed', `${req.method} is not supported on ${path}; use GET.`);
      sendJson(res, 200, { peers: cluster.views(), dataDir: cluster.dataDir, temporary: this.init.temporary });
      return;
    }
    const m = /^\/api\/demo\/peers\/([^/]+)\/(stop|crash|start)$/.exec(path);
    if (m === null) throw new ApiError(404, 'not-found', `There is no API at ${path}.`);
    if (req.method !== 'POST') throw new ApiError(405, 'method-not-allowed', `${req.method} is not supported on ${path}; use POST.`);
    const node = this.node(decodeURIComponent(m[1]!));
    const action = m[2]!;
    if (action === 'start') {
      if (node.state !== 'stopped') throw new ApiError(409, 'peer-running', `Node ${node.name} is ${node.state}; stop or crash it first.`);
      this.init.log?.(`starting ${node.name} again`);
      try {
        await cluster.startNode(node);
      } catch (error) {
        throw new ApiError(500, 'start-failed', `Node ${node.name} did not start: ${(error as Error).message}`);
      }
    } else if (node.state === 'stopped') {
      throw new ApiError(409, 'peer-stopped', `Node ${node.name} is already stopped.`);
    } else {
      this.init.log?.(`${action === 'crash' ? 'crashing (SIGKILL)' : 'stopping'} ${node.name}`);
      await (action === 'crash' ? node.crash() : node.stop());
    }
    sendJson(res, 200, { peer: node.view() });
  }

  private node(name: string) {
    const node = this.init.cluster.node(name);
    if (node === undefined) {
      throw new ApiError(404, 'no-such-peer', `There is no node ${JSON.stringify(name)}; the nodes are ${this.init.cluster.nodes.map((n) => n.name).join(', ')}.`);
    }
    return node;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

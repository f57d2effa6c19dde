// DemoServer is the dashboard of `raftnotes demo` on 127.0.0.1: the page
// (dist/renderer/demo.html, with the dashboard's own token written into it),
// its control API, and a proxy to each peer's API. It runs on the same HTTP
// toolkit as a peer's API (core/api/http): the same Host and Origin checks,
// so no other web page can drive the cluster through the user's browser.
//
//   GET  /api/demo/events                one server-sent event stream of every peer (events.ts): process,
//                                        upstream, status, notes and log events, each {"peer":"A","data":…}
//   GET  /api/demo/peers                 {peers: [{name, state, api, pid, peerId, port, dataDir, lastExit}], dataDir, temporary}
//   POST /api/demo/peers/:name/stop      stop gently (SIGTERM: a leader hands over first)
//   POST /api/demo/peers/:name/crash     kill -9
//   POST /api/demo/peers/:name/start     start again on its data
//   GET  /api/demo/lab                   the lab settings {tickMs, paused, preVote, checkQuorum, groups}
//   POST /api/demo/clock                 {tickMs?, paused?, step?} on every peer (DemoLab)
//   POST /api/demo/safeguards            {preVote?, checkQuorum?} on every peer: off plays classic Raft
//   POST /api/demo/partition             {groups: [["A","B"],["C","D","E"]]}: real cuts between the groups; [] heals
//   POST /api/demo/split-vote            {names: ["B","C"]}: their election timers fire on the same tick
//   ANY  /peers/:name/api/…              that peer's own API (isolate, leadership, notes, log, events…)
import type { HttpRequest, HttpResponse } from '../core/api/http/http-server.ts';
import { randomBytes } from 'node:crypto';
import { HttpError } from '../core/api/http/http-error.ts';
import { HttpServer } from '../core/api/http/http-server.ts';
import { readJson, sendJson } from '../core/api/http/json.ts';
import { checkBearerToken } from '../core/api/http/request-guard.ts';
import { Router } from '../core/api/http/router.ts';
import { StaticFiles } from '../core/api/http/static-files.ts';
import { createLogger, type Logger } from '../core/service/logger.ts';
import type { DemoCluster } from './cluster.ts';
import { DemoEvents } from './events.ts';
import { checked, clockChange, DemoLab, partitionChange, safeguardsChange, splitVoteChange } from './lab.ts';
import type { DemoNode } from './node.ts';
import { proxyToPeer } from './proxy.ts';

/** DemoServerInit configures the dashboard. */
export interface DemoServerInit {
  cluster: DemoCluster;
  port: number;
  /** Whether the cluster's directory goes away at exit (shown on the page). */
  temporary: boolean;
  /** The peers' Raft clock at the start, ms per tick. */
  tickMs: number;
  /** The built page and assets; default dist/renderer with demo.html at `/`. */
  ui?: StaticFiles;
  /** Reports a node action ("crashed A") for the demo's own output. */
  say?: (line: string) => void;
  log?: Logger;
}

/** PEER_PATH is a request for a peer's own API through the dashboard. */
const PEER_PATH = /^\/peers\/([^/]+)(\/api\/.*)$/;

/** DemoServer serves the dashboard. */
export class DemoServer {
  /** The token the page carries; every API and proxy request needs it. */
  readonly token = randomBytes(24).toString('base64url');
  /** The one event stream the page follows, fed by every running peer's own. */
  readonly events = new DemoEvents();
  /** What the dashboard sets for every peer: clock, safeguards, partition. */
  readonly lab: DemoLab;
  private readonly init: DemoServerInit;
  private readonly server: HttpServer;
  private readonly router = new Router();
  private readonly ui: StaticFiles;
  private readonly unwatch: () => void;

  constructor(init: DemoServerInit) {
    this.init = init;
    this.lab = new DemoLab(init.cluster, init.tickMs);
    this.events.setLab(this.lab.settings);
    this.ui = init.ui ?? new StaticFiles({ index: 'demo.html' });
    this.unwatch = init.cluster.watch((node) => this.events.update(node.view(), node.api));
    for (const node of init.cluster.nodes) this.events.update(node.view(), node.api);
    this.router.on('GET', '/api/demo/events', (req, res) => this.events.subscribe(req, res));
    this.router.on('GET', '/api/demo/peers', (_req, res) => {
      sendJson(res, 200, { peers: init.cluster.views(), dataDir: init.cluster.dataDir, temporary: init.temporary });
    });
    for (const action of ['stop', 'crash', 'start'] as const) {
      this.router.on('POST', `/api/demo/peers/:name/${action}`, (_req, res, { params }) => this.act(res, this.node(params['name']!), action));
    }
    this.router.on('GET', '/api/demo/lab', (_req, res) => sendJson(res, 200, this.lab.settings));
    this.router.on('POST', '/api/demo/clock', async (req, res) => this.changeLab(res, this.lab.clock(checked(clockChange, await readJson(req)))));
    this.router.on('POST', '/api/demo/safeguards', async (req, res) => this.changeLab(res, this.lab.safeguards(checked(safeguardsChange, await readJson(req)))));
    this.router.on('POST', '/api/demo/partition', async (req, res) => this.changeLab(res, this.lab.partition(checked(partitionChange, await readJson(req)).groups)));
    this.router.on('POST', '/api/demo/split-vote', async (req, res) => this.changeLab(res, this.lab.splitVote(checked(splitVoteChange, await readJson(req)).names)));
    this.server = new HttpServer({
      host: '127.0.0.1', port: init.port, log: init.log ?? createLogger('demo'), graceMs: 0,
      handle: (req, res, url) => this.serve(req, res, url),
      internalMessage: 'The demo hit an unexpected error; see its output.',
      stoppingMessage: 'The demo is stopping.',
    });
  }

  /** start listens on 127.0.0.1 and returns the dashboard's URL. */
  async start(): Promise<string> {
    return `${await this.server.start()}/`;
  }

  /** stop closes the server and every open stream. */
  async stop(): Promise<void> {
    this.unwatch();
    this.events.stop();
    await this.server.stop();
  }

  private async serve(req: HttpRequest, res: HttpResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (!path.startsWith('/api/') && !path.startsWith('/peers/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method-not-allowed', `${req.method} is not supported on ${path}.`);
      await this.ui.serve(path, res, this.token);
      return;
    }
    checkBearerToken(req, Buffer.from(this.token));
    const peer = PEER_PATH.exec(path);
    if (peer === null) {
      await this.router.route(req, res, url);
      return;
    }
    const node = this.node(decodeURIComponent(peer[1]!));
    if (node.api === null || node.state !== 'running') {
      throw new HttpError(503, 'peer-stopped', `Node ${node.name} is ${node.state}; start it again (Restart ${node.name}).`);
    }
    await proxyToPeer(req, res, { name: node.name, ...node.api }, `${peer[2]}${url.search}`);
  }

  /** changeLab answers a lab change with the settings then, and tells every dashboard (also when some peer failed). */
  private async changeLab(res: HttpResponse, change: Promise<unknown>): Promise<void> {
    try {
      await change;
    } finally {
      this.events.setLab(this.lab.settings);
    }
    sendJson(res, 200, this.lab.settings);
  }

  private async act(res: HttpResponse, node: DemoNode, action: 'stop' | 'crash' | 'start'): Promise<void> {
    const { cluster, say } = this.init;
    if (action === 'start') {
      if (node.state !== 'stopped') throw new HttpError(409, 'peer-running', `Node ${node.name} is ${node.state}; stop or crash it first.`);
      say?.(`starting ${node.name} again`);
      try {
        await cluster.startNode(node);
        await this.lab.applyTo(node);
      } catch (error) {
        throw new HttpError(500, 'start-failed', `Node ${node.name} did not start: ${(error as Error).message}`);
      }
    } else if (node.state === 'stopped') {
      throw new HttpError(409, 'peer-stopped', `Node ${node.name} is already stopped.`);
    } else {
      say?.(`${action === 'crash' ? 'crashing (SIGKILL)' : 'stopping'} ${node.name}`);
      await (action === 'crash' ? node.crash() : node.stop());
    }
    sendJson(res, 200, { peer: node.view() });
  }

  private node(name: string): DemoNode {
    const node = this.init.cluster.node(name);
    if (node === undefined) {
      throw new HttpError(404, 'no-such-peer', `There is no node ${JSON.stringify(name)}; the nodes are ${this.init.cluster.nodes.map((n) => n.name).join(', ')}.`);
    }
    return node;
  }
}

// DemoCluster is the set of peers of `raftnotes demo`, named A, B, C, … each on
// DIR/<name> and on a libp2p port of its own, every one dialing all the others
// with --peer. On a fresh DIR the first creates the notebook and the others
// join it with its invite code; the layout (names and ports) is kept in
// DIR/demo.json so that the same cluster starts again on the same data.
//
//   demo.json: {"version":1,"nodes":[{"name":"A","port":40111},{"name":"B","port":40112},…]}
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { DemoNode } from './node.ts';
import type { DemoNodeView } from './view.ts';

/** DemoLayout is what demo.json holds. */
export interface DemoLayout {
  version: 1;
  nodes: Array<{ name: string; port: number }>;
}

/** DemoClusterInit says where the cluster lives and how big a new one is. */
export interface DemoClusterInit {
  dataDir: string;
  /** The size of a new cluster; a kept one has its own. */
  nodes: number;
  /** Called whenever a node's process changes state. */
  onChange?: (node: DemoNode) => void;
  /** Reports a node that did not start. */
  log?: (line: string) => void;
  /** The peers' Raft clock in ms per tick (serve --tick-ms). */
  tickMs: number;
  /** Run the peers with --lab (trace and controls); default true. bench:trace runs them without, to compare. */
  lab?: boolean;
}

const LAYOUT_FILE = 'demo.json';
const NOTEBOOK_NAME = 'Raft demo';

/** DemoCluster starts, stops and restarts the demo's peers. */
export class DemoCluster {
  readonly dataDir: string;
  private readonly init: DemoClusterInit;
  nodes: DemoNode[] = [];
  /** Whether start() found a kept cluster in dataDir. */
  resumed = false;
  private readonly watchers = new Set<(node: DemoNode) => void>();

  constructor(init: DemoClusterInit) {
    this.init = init;
    this.dataDir = init.dataDir;
  }

  /** node finds a node by name (case-sensitive, "A"…). */
  node(name: string): DemoNode | undefined {
    return this.nodes.find((n) => n.name === name);
  }

  /** watch calls `listener` whenever a node's process changes state (starting, running, stopping, stopped); the result unwatches. */
  watch(listener: (node: DemoNode) => void): () => void {
    this.watchers.add(listener);
    return () => { this.watchers.delete(listener); };
  }

  /** views are the nodes' rows of GET /api/demo/peers. */
  views(): DemoNodeView[] {
    return this.nodes.map((n) => n.view());
  }

  /** start starts every node: a kept cluster as it was, a new one by creating the notebook on A and joining the others. */
  async start(): Promise<void> {
    const kept = await readLayout(this.dataDir);
    this.resumed = kept !== null;
    const layout = kept ?? { version: 1 as const, nodes: await freshLayout(this.init.nodes) };
    this.nodes = layout.nodes.map(({ name, port }) => new DemoNode({
      name, port, dataDir: join(this.dataDir, name), onChange: (node) => this.changed(node),
    }));
    await mkdir(this.dataDir, { recursive: true });
    if (kept !== null) {
      // A kept node that does not start is shown as stopped; the others run.
      const results = await Promise.allSettled(this.nodes.map((n) => this.startNode(n)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') this.init.log?.(`${this.nodes[i]!.name} did not start: ${(r.reason as Error).message}`);
      });
      return;
    }
    const [first, ...others] = this.nodes;
    await first!.start(['--create', NOTEBOOK_NAME, '--max-voters', String(this.nodes.length), ...this.peerFlags(first!)]);
    const invite = await inviteOf(first!);
    await Promise.all(others.map((n) => n.start(['--invite', invite, '--max-voters', String(this.nodes.length), ...this.peerFlags(n)])));
    await writeFile(join(this.dataDir, LAYOUT_FILE), `${JSON.stringify(layout)}\n`);
  }

  /** startNode starts a stopped node again on its data. */
  async startNode(node: DemoNode): Promise<void> {
    await node.start(['--max-voters', String(this.nodes.length), ...this.peerFlags(node)]);
  }

  /** stop stops every node gently, all at once; any still running after the timeout is killed. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  private changed(node: DemoNode): void {
    this.init.onChange?.(node);
    for (const listener of this.watchers) listener(node);
  }

  /** peerFlags runs the peer for the demo (--lab: trace and controls), sets the Raft clock and names every other node with --peer, the first node (where a joiner asks first) leading. */
  private peerFlags(node: DemoNode): string[] {
    return [...(this.init.lab === false ? [] : ['--lab']), '--tick-ms', String(this.init.tickMs), ...this.nodes.filter((n) => n !== node).flatMap((n) => ['--peer', n.listenAddr])];
  }
}

/** nodeName is the name of the i-th node: A, B, C, … */
export function nodeName(i: number): string {
  return String.fromCharCode(65 + i);
}

async function freshLayout(count: number): Promise<DemoLayout['nodes']> {
  const ports = await freePorts(count);
  return ports.map((port, i) => ({ name: nodeName(i), port }));
}

/** freePorts asks the system for `count` distinct free TCP ports on 127.0.0.1. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

async function readLayout(dataDir: string): Promise<DemoLayout | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, LAYOUT_FILE), 'utf8');
  } catch {
    return null;
  }
  const value = JSON.parse(text) as DemoLayout;
  const ok = value.version === 1 && Array.isArray(value.nodes) && value.nodes.length >= 1 &&
    value.nodes.every((n) => /^[A-Z]$/.test(n.name) && Number.isInteger(n.port) && n.port > 0 && n.port < 65536);
  if (!ok) throw new Error(`${join(dataDir, LAYOUT_FILE)} is not a demo layout; use another --data directory for a new demo.`);
  return value;
}

async function inviteOf(node: DemoNode): Promise<string> {
  const res = await fetch(`${node.api!.url}/api/invite`, { headers: { authorization: `Bearer ${node.api!.token}` } });
  const body = await res.json() as { invite?: string; message?: string };
  if (body.invite === undefined) throw new Error(`${node.name} gave no invite code: ${body.message ?? res.status}`);
  return body.invite;
}

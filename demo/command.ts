// runDemo is `raftnotes demo`: it starts a local cluster of N peers (DemoCluster),
// serves their dashboard (DemoServer), opens it in the browser, and on Ctrl-C
// or SIGTERM stops every peer (gently, then SIGKILL) and removes a temporary
// cluster directory. A peer that dies on its own is shown as stopped; it never
// takes the demo down.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DemoCluster } from './cluster.ts';
import { DemoServer } from './server.ts';
import { RENDERER_DIST } from '../core/paths.ts';
import { createLogger } from '../core/service/logger.ts';

const DEFAULT_NODES = 5;

/** DemoOptions are what `raftnotes demo` is told (its flags, checked by cli/args.ts). */
export interface DemoOptions {
  /** How many peers, 1 to 9; undefined: 5, or as many as the kept cluster in dataDir has. */
  nodes?: number;
  /** Where the cluster is kept across runs; undefined: a fresh temporary directory removed at exit. */
  dataDir?: string;
  /** The dashboard's port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Open the dashboard in the browser (xdg-open). */
  open: boolean;
  /** The peers' Raft clock (serve --tick-ms): 100 plays Raft ten times slower. */
  tickMs: number;
}

/** runDemo runs the demo until a signal and returns the exit code. */
export async function runDemo(args: DemoOptions): Promise<number> {
  const temporary = args.dataDir === undefined;
  const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'raftnotes-demo-')) : resolve(args.dataDir!);
  const log = createLogger('raftnotes demo');
  // What the demo tells the person who started it goes to standard error; standard output carries only JSON lines.
  const say = (line: string) => { process.stderr.write(`raftnotes demo: ${line}\n`); };
  const cluster = new DemoCluster({
    dataDir, nodes: args.nodes ?? DEFAULT_NODES, log: say, tickMs: args.tickMs,
  });
  const server = new DemoServer({ cluster, port: args.port, temporary, say, log, tickMs: args.tickMs });
  let stopping: Promise<void> | null = null;
  const shutdown = () => {
    stopping ??= (async () => {
      say('stopping the peers…');
      await server.stop().catch(() => {});
      await cluster.stop();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
      say(temporary ? `stopped; removed ${dataDir}.` : `stopped; the cluster is kept in ${dataDir}.`);
    })();
    return stopping;
  };
  // Whatever way the demo exits, no peer outlives it; after a SIGKILL of the demo, which skips this, each peer
  // sees its stdin pipe close and stops by itself (--exit-with-parent, DemoNode).
  process.once('exit', () => { for (const n of cluster.nodes) n.killNow(); });
  const done = new Promise<number>((resolveDone) => {
    const onSignal = () => { void shutdown().then(() => resolveDone(0)); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  say(temporary ? `the cluster lives in ${dataDir} (a temporary directory, removed at exit; --data <dir> keeps it)`
    : `the cluster lives in ${dataDir}`);
  let url: string;
  try {
    url = await server.start();
  } catch (error) {
    log.error(`the dashboard cannot listen on 127.0.0.1:${args.port}: ${(error as Error).message}; pick another --port, or 0 for any.`);
    await shutdown();
    return 1;
  }
  try {
    await cluster.start();
  } catch (error) {
    log.error(`the cluster did not start: ${(error as Error).message}`);
    await shutdown();
    return 1;
  }
  if (args.nodes !== undefined && cluster.resumed && args.nodes !== cluster.nodes.length) {
    say(`${dataDir} holds a cluster of ${cluster.nodes.length} nodes; --nodes ${args.nodes} applies only to a new one.`);
  }
  say(`${cluster.nodes.length} peers running (${cluster.nodes.map((n) => `${n.name} pid ${n.view().pid}`).join(', ')})`);
  // One JSON line, like `raftnotes serve`'s, for scripts and tests: the only thing the demo writes on standard output.
  process.stdout.write(`${JSON.stringify({ event: 'demo-ready', url, token: server.token, dataDir, peers: cluster.views() })}\n`);
  say(`dashboard: ${url}  (Ctrl-C stops every peer)`);
  if (!existsSync(join(RENDERER_DIST, 'demo.html'))) say('the dashboard page is not built yet: run `npm run build:renderer`, then reload it.');
  if (args.open) openBrowser(url, say);
  return done;
}

/** openBrowser opens `url` with xdg-open when there is one; otherwise the printed URL is enough. */
function openBrowser(url: string, say: (line: string) => void): void {
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.once('error', () => say('open the dashboard URL above in a browser.'));
  child.unref();
}

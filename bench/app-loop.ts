// bench:app-loop — does the peer stall the desktop app's window? The main
// process relays the window's calls to the peer and pushes every event to the
// page; its event loop must stay responsive (target: p99 delay under 20 ms at
// 64 writes in flight).
//
// Electron's binary cannot be downloaded on the machines this project is
// built on, so this runs what the main process runs, minus the window, in a
// Node process: the peer on its worker thread (PeerHost, the bundled
// dist/app/peer-worker.js), writes made through PeerHost.invoke exactly as the
// IPC handlers make them, each event structured-cloned as IPC does; the
// notebook's two other peers are `raftnotes serve` processes, as other laptops
// would be. For comparison it also runs the peer on the main thread itself
// (an IpcAdapter in this thread). perf_hooks.monitorEventLoopDelay measures the
// main thread's loop (1 ms resolution, as main.ts does; a value includes it).
//
//   npm run bench:app-loop [-- --seconds 20 --warmup 10 --in-flight 64 --out bench/results/app-loop.md]
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { IpcResult } from '../core/api/ipc/bridge-types.ts';
import { IpcAdapter } from '../core/api/ipc/ipc-adapter.ts';
import { NotesService } from '../core/service/notes-service.ts';
import { createLogger } from '../core/service/logger.ts';
import { APP_ORIGIN, APP_PAGE } from '../app/main/app-protocol.ts';
import { PeerHost } from '../app/peer-host/peer-host.ts';
import { buildApp } from '../scripts/build-app.ts';
import { Child, killAllChildren, removeTempDirs, tempDir } from './cluster/children.ts';
import { parseReady } from './cluster/raftnotes-cluster.ts';
import { text100 } from './cluster/load.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
    'in-flight': { type: 'string', default: '64' },
    out: { type: 'string', default: '' },
  },
});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const IN_FLIGHT = Number(values['in-flight']);
const OUT = values.out === '' ? new URL('./results/app-loop.md', import.meta.url).pathname : values.out;
const BIN = new URL('../bin/raftnotes.js', import.meta.url).pathname;
const quiet = createLogger('bench', { sink: () => {} });

/** Backend is what the IPC handlers call: the PeerHost (worker thread) or an IpcAdapter on this thread; events as JSON text. */
interface Backend {
  invoke(name: string, senderUrl: string, input: unknown): Promise<IpcResult<unknown>>;
  subscribe(senderUrl: string, send: (json: string) => void): (() => void) | null;
  stop(): Promise<void>;
}

interface Point {
  where: string;
  role: string;
  writesPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** measure drives IN_FLIGHT writes through `backend` and records this thread's loop delay over the measured window. */
async function measure(where: string, role: string, backend: Backend): Promise<Point> {
  let stop = false;
  let measuring = false;
  let committed = 0;
  let n = 0;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const worker = async () => {
    while (!stop) {
      const result = await backend.invoke('addNote', APP_PAGE, { text: text100(n++) });
      if (measuring && result.ok) committed++;
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  delay.enable();
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  delay.disable();
  stop = true;
  await Promise.all(workers);
  const ms = (ns: number) => ns / 1e6;
  return { where, role, writesPerSecond: committed / seconds, p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
}

async function startPeer(name: string, args: string[]): Promise<Child> {
  const dir = await tempDir(`raftnotes-app-loop-${name}-`);
  const child = new Child(name, process.execPath, [BIN, 'serve', '--data', dir, '--name', name, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', ...args]);
  await child.waitForLine(`${name} ready`, parseReady);
  return child;
}

async function call(backend: Backend, name: string, input: unknown): Promise<any> {
  const result = await backend.invoke(name, APP_PAGE, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value;
}

/** run measures one way of hosting the peer: as leader, then as follower. */
async function run(where: string, start: (dataDir: string) => Promise<Backend>): Promise<Point[]> {
  const dir = await tempDir('raftnotes-app-loop-main-');
  const backend = await start(join(dir, 'notebook'));
  const points: Point[] = [];
  try {
    await call(backend, 'openNotebook', { name: 'App loop' });
    // The page's subscription: every event crosses IPC to the page as a structured clone of its JSON text.
    backend.subscribe(APP_PAGE, (json) => { structuredClone(json); });
    const { invite } = await call(backend, 'invite', {});
    await startPeer('b', ['--invite', invite]);
    await startPeer('c', ['--invite', invite]);
    const until = Date.now() + 30_000;
    while ((await call(backend, 'status', {})).members.filter((m: { voter: boolean }) => m.voter).length < 3) {
      if (Date.now() > until) throw new Error('the two other peers did not become voters within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    points.push(await measure(where, (await call(backend, 'status', {})).role === 'leader' ? 'leader' : 'follower (an election moved the leader)', backend));
    const status = await call(backend, 'status', {});
    if (status.role === 'leader') {
      const follower = status.members.find((m: { id: string; voter: boolean }) => m.id !== status.id && m.voter);
      await call(backend, 'transferLeadership', { to: follower.id });
    }
    points.push(await measure(where, 'follower', backend));
  } finally {
    await backend.stop();
    await killAllChildren();
  }
  return points;
}

const { worker } = await buildApp();
const points: Point[] = [];
try {
  points.push(...await run('worker thread (the app)', async (dataDir) =>
    PeerHost.start({ workerUrl: new URL(`file://${worker}`), dataDir, name: 'app', origin: APP_ORIGIN })));
  points.push(...await run('main thread (for comparison)', async (dataDir) => {
    const service = new NotesService({ dataDir, name: 'app' }); // as the worker runs it
    await service.start();
    const ipc = new IpcAdapter({ service, origin: APP_ORIGIN, log: quiet });
    return { invoke: (n, u, i) => ipc.invoke(n, u, i), subscribe: (u, send) => ipc.subscribe(u, (event) => send(JSON.stringify(event))), stop: () => service.stop() };
  }));
} finally {
  await killAllChildren();
  await removeTempDirs();
}

const rows = points.map((p) => `| ${p.where} | ${p.role} | ${Math.round(p.writesPerSecond).toLocaleString('en')} | ${p.p50.toFixed(1)} ms | ${p.p99.toFixed(1)} ms | ${p.max.toFixed(1)} ms |`);
const report = `# The desktop app's main process under load: event-loop delay

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:app-loop\` on ${hostname()}, Node ${process.version}.

What the main process runs, minus the window (no Electron binary can be downloaded here): the peer on
its worker thread (PeerHost with the bundled dist/app/peer-worker.js), ${IN_FLIGHT} writes in flight made through
\`PeerHost.invoke\` as the IPC handlers make them, each event structured-cloned as IPC does, the notebook's two
other peers as \`raftnotes serve\` processes on 127.0.0.1 (with mDNS, as on a LAN). Then the same with the peer on
the main thread itself, for comparison. ${WARMUP} s warm-up, then ${SECONDS} s measured with
\`monitorEventLoopDelay\` on the main thread (1 ms resolution, which each value includes). Target: p99 under 20 ms.

| the peer runs on | it is | writes/s | main loop delay p50 | p99 | max |
| --- | --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(OUT, report);
console.log(report);

// bench:trace — what the demo's trace costs: the CPU time of five demo peers
// (`raftnotes serve` processes, as `raftnotes demo` starts them) with the
// trace on (--lab, every peer's events followed as the demo server follows
// them, trace batches included) and off (no --lab: the trace's code path is
// not taken), on an idle cluster (elections over, heartbeats only) and under
// a light write load.
//
//   npm run bench:trace [-- --seconds 20 --warmup 10 --rounds 2 --tick-ms 10 --writes 20 --out bench/results/trace.md]
//
// Each round runs both settings one after the other on a fresh cluster, so a
// busy machine weighs on both alike. CPU is read from /proc/<pid>/stat
// (utime + stime) of each peer process, and process.cpuUsage() for this
// process (the demo server's part: following the peers' events).
import { mkdtemp, rm, readFile, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DemoCluster } from '../demo/cluster.ts';
import { DemoEvents } from '../demo/events.ts';
import { ensureCliBundle } from '../scripts/build-cli.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'tick-ms': { type: 'string', default: '10' },
    writes: { type: 'string', default: '20' },
    out: { type: 'string', default: 'bench/results/trace.md' },
  },
});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const ROUNDS = Number(values.rounds);
const TICK_MS = Number(values['tick-ms']);
const WRITES = Number(values.writes);
const CLK = 100; // USER_HZ: /proc/<pid>/stat counts in 1/100 s on Linux

interface Sample { peersMs: number; serverMs: number }

async function procCpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK; // utime, stime (fields 14 and 15 of the line)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** measure runs five peers with the trace on or off and returns their CPU time over SECONDS of `load`. */
async function measure(lab: boolean, load: 'idle' | 'writes'): Promise<Sample> {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'raftnotes-bench-trace-'));
  const cluster = new DemoCluster({ dataDir, nodes: 5, tickMs: TICK_MS, lab });
  const events = new DemoEvents();
  const unwatch = cluster.watch((node) => events.update(node.view(), node.api));
  try {
    await cluster.start();
    for (const node of cluster.nodes) events.update(node.view(), node.api);
    await sleep(WARMUP * 1000);
    const pids = cluster.nodes.map((n) => n.view().pid!);
    const before = await Promise.all(pids.map(procCpuMs));
    const server0 = process.cpuUsage();
    const end = Date.now() + SECONDS * 1000;
    let n = 0;
    while (Date.now() < end) {
      if (load === 'writes') {
        const node = cluster.nodes[n++ % cluster.nodes.length]!;
        void fetch(`${node.api!.url}/api/notes`, {
          method: 'POST', headers: { authorization: `Bearer ${node.api!.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: `note ${n}` }),
        }).catch(() => {});
        await sleep(1000 / WRITES);
      } else {
        await sleep(200);
      }
    }
    const after = await Promise.all(pids.map(procCpuMs));
    const server = process.cpuUsage(server0);
    return { peersMs: after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0), serverMs: (server.user + server.system) / 1000 };
  } finally {
    unwatch();
    events.stop();
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await ensureCliBundle();
  const results: Record<string, Sample[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const load of ['idle', 'writes'] as const) {
      for (const lab of [false, true]) {
        const key = `${load} ${lab ? 'on' : 'off'}`;
        process.stderr.write(`round ${round}: ${key}…\n`);
        (results[key] ??= []).push(await measure(lab, load));
      }
    }
  }
  const pct = (ms: number) => `${((ms / (SECONDS * 1000)) * 100).toFixed(1)} %`;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lines = [
    '# bench:trace — the demo\'s trace, on and off',
    '',
    `\`npm run bench:trace -- --seconds ${SECONDS} --warmup ${WARMUP} --rounds ${ROUNDS} --tick-ms ${TICK_MS} --writes ${WRITES}\`, ${new Date().toISOString().slice(0, 10)}, `
      + `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
    '',
    'Five `raftnotes serve` peers as `raftnotes demo` starts them (durable storage, 127.0.0.1), every peer\'s event stream followed as the demo',
    'server follows it. CPU time of the five peer processes together over the measured seconds, as a share of one core (/proc/<pid>/stat),',
    'and of the following process (the demo server\'s part). "off": no --lab, the trace\'s code path is not taken; "on": --lab, a trace batch',
    'per peer every 100 ms. Idle: heartbeats only; writes: notes posted round-robin to the peers.',
    '',
    '| load | trace | peers\' CPU (5 processes), each round | mean | demo server\'s CPU, mean |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [key, samples] of Object.entries(results)) {
    const [load, trace] = key.split(' ');
    lines.push(`| ${load === 'writes' ? `${WRITES} notes/s` : 'idle'} | ${trace} | ${samples.map((s) => pct(s.peersMs)).join(', ')} | ${pct(mean(samples.map((s) => s.peersMs)))} `
      + `| ${pct(mean(samples.map((s) => s.serverMs)))} |`);
  }
  lines.push('', 'The machine is shared (other work runs beside it): compare "on" and "off" of the same round and load, not across reports.', '');
  const text = lines.join('\n');
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, text);
  process.stdout.write(text);
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench:trace failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

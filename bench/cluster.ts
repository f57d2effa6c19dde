// bench:cluster — the benchmark of the issue "Peers on a LAN", with etcd 3.4 beside it.
//
//   npm run bench:cluster [-- --seconds 10 --warmup 20 --failover-runs 10 --formation-runs 3
//                            --systems raftnotes,etcd --phases load,failover,idle,memory,formation
//                            --etcd-api grpc|gateway --raftnotes-api h2|http1 --idle-seconds 60 --memory-writes 200000
//                            --wait-quiet 30 --points 1,16,64 --out bench/results/cluster.md]
//
// A quick look at one side: `--systems raftnotes --phases load --points 1,16
// --seconds 5 --out /tmp/cluster.md` (keep --out off the committed report for partial runs).
//
// 1. Three Raftnotes peers on 127.0.0.1 (durable storage): committed notes/s and
//    p50/p99 commit latency at 1, 16 and 64 requests in flight (POST /api/notes
//    of 100 bytes to the leader, counted when answered 201), then failover:
//    kill -9 of the leader -> first note answered 201 by a survivor, N runs,
//    the killed peer restarted between runs.
// 2. The same against three etcd members on 127.0.0.1 (puts of 100-byte values
//    through its gRPC API with the etcd3 client, as its users write; or with
//    --etcd-api gateway through its HTTP/JSON gateway), and etcd's failover.
// 3. Idle: both clusters' CPU over --idle-seconds, after a warm-up of writes.
// 4. Memory: both clusters' resident memory after --memory-writes writes of 100
//    bytes; then a fourth Raftnotes peer joins and catches up.
// 5. Formation: five peers started at once in network namespaces, mDNS only,
//    until the leader lists five voters.
// Writes bench/results/cluster.md and prints it. Every process and temporary
// directory it made is removed at the end, on failure and on Ctrl-C.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { type Child, killAllChildren, killAllChildrenNow, removeTempDirs, removeTempDirsNow } from './cluster/children.ts';
import type { BenchCluster } from './cluster/bench-cluster.ts';
import { EtcdCluster, etcdVersion, type EtcdMember } from './cluster/etcd-cluster.ts';
import { idleCores, type IdleResult } from './cluster/idle.ts';
import { memoryAfter, REST_MS, type MemoryResult } from './cluster/memory.ts';
import { coldStartMs, formOnce, type FormationRun, type LanHostLike } from './cluster/formation.ts';
import { closedLoop, firstSuccess, machineBusySeconds, percentile, sleep, WARMUP_SLICE_MS, type LoadResult } from './cluster/load.ts';
import { closeWriteConnections, RaftnotesCluster, type CatchUp } from './cluster/raftnotes-cluster.ts';
import { ensureCliBundle } from '../scripts/build-cli.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '20' },
    'failover-runs': { type: 'string', default: '10' },
    'formation-runs': { type: 'string', default: '3' },
    systems: { type: 'string', default: 'raftnotes,etcd' },
    phases: { type: 'string', default: 'load,failover,idle,memory,formation' },
    'etcd-api': { type: 'string', default: 'grpc' },
    'raftnotes-api': { type: 'string', default: 'h2' },
    'idle-seconds': { type: 'string', default: '60' },
    'memory-writes': { type: 'string', default: '200000' },
    'wait-quiet': { type: 'string', default: '30' },
    points: { type: 'string', default: '1,16,64' },
    out: { type: 'string', default: '' },
  },
});
const MEASURE_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;
const FAILOVER_RUNS = Number(values['failover-runs']);
const FORMATION_RUNS = Number(values['formation-runs']);
const SYSTEMS = new Set(values.systems.split(','));
const PHASES = new Set(values.phases.split(','));
const ETCD_API = values['etcd-api'];
if (ETCD_API !== 'grpc' && ETCD_API !== 'gateway') throw new Error(`--etcd-api ${ETCD_API}: give grpc or gateway`);
const RAFTNOTES_API = values['raftnotes-api'];
if (RAFTNOTES_API !== 'h2' && RAFTNOTES_API !== 'http1') throw new Error(`--raftnotes-api ${RAFTNOTES_API}: give h2 or http1`);
const IDLE_SECONDS = Number(values['idle-seconds']);
const MEMORY_WRITES = Number(values['memory-writes']);
const WAIT_QUIET_MS = Number(values['wait-quiet']) * 1000;
/** Other work above this many cores makes the start wait (up to --wait-quiet seconds). */
const QUIET_CORES = 0.3;
const IN_FLIGHT = values.points.split(',').map(Number);
if (!IN_FLIGHT.every((n) => Number.isSafeInteger(n) && n >= 1)) throw new Error(`--points ${values.points}: give requests in flight as whole numbers, e.g. 1,16,64`);
const OUT = values.out === '' ? new URL('./results/cluster.md', import.meta.url).pathname : values.out;
/** Stop starting failover runs of one system once they have taken this long: a slow machine still ends. */
const FAILOVER_BUDGET_MS = 120_000;
/** Pause between "healthy" and the kill, the same for both systems. */
const SETTLE_MS = 300;
/** Writes before the idle window (so connections and code are warm), and the settle after them. */
const IDLE_WARM_WRITES = 2_000;
const IDLE_SETTLE_MS = 5_000;
/** Writes in flight while the memory phase fills the cluster. */
const MEMORY_IN_FLIGHT = 64;
/** The warm start is the pace over the first seconds of load on a fresh cluster, against the measured pace. */
const WARM_START_SECONDS = 5;

// Peers run bin/raftnotes.js on the bundle, as users' do: build it first when the sources changed.
await ensureCliBundle();
const started = performance.now();
const LOAD_AT_START = os.loadavg()[0]!;
const elapsedMs = () => performance.now() - started;
const log = (line: string) => console.error(`[bench:cluster ${(elapsedMs() / 1000).toFixed(1)} s] ${line}`);

interface FailoverResult { runs: (number | null)[]; note?: string }

/** emptyPoint stands for a point that could not be measured. */
function emptyPoint(inFlight: number): LoadResult {
  return { inFlight, seconds: 0, committed: 0, failed: 0, perSecond: NaN, p50Ms: NaN, p99Ms: NaN, serverCpu: NaN, clientCpu: NaN, machineCpu: NaN, warmupRates: [] };
}
interface SystemResult {
  load: LoadResult[];
  failover: FailoverResult | null;
  idle: IdleResult | null;
  memory: MemoryResult | null;
  /** Raftnotes only: a fourth peer joining the filled notebook: ms to apply it, from its spawn and from its ready line, and its memory. */
  catchUp: CatchUp | null;
  error?: string;
}
const emptySystem = (): SystemResult => ({ load: [], failover: null, idle: null, memory: null, catchUp: null });

interface LanLike { hosts: readonly LanHostLike[]; destroy(): Promise<void> }
let lan: LanLike | null = null;

async function cleanup(): Promise<void> {
  closeWriteConnections();
  await killAllChildren();
  await lan?.destroy().catch(() => {});
  lan = null;
  await removeTempDirs();
}

process.on('exit', () => { killAllChildrenNow(); removeTempDirsNow(); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** withCluster starts a fresh cluster, runs `body` on it, and always stops it and removes its data. */
async function withCluster<C extends Pick<BenchCluster<never>, 'start' | 'stop' | 'tails'>, T>(what: string, make: () => C,
  body: (cluster: C) => Promise<T>): Promise<T> {
  const cluster = make();
  try {
    log(`starting ${what}`);
    await cluster.start();
    return await body(cluster);
  } catch (error) {
    log(`${what} failed: ${(error as Error).stack ?? String(error)}\n${cluster.tails()}`);
    throw error;
  } finally {
    await cluster.stop();
  }
}

/** point measures one load point on a fresh cluster. */
async function point<M extends { child: Child | null }>(what: string, make: () => BenchCluster<M>, inFlight: number): Promise<LoadResult> {
  return withCluster(what, make, async (cluster) => {
    // The load starts as soon as the fresh cluster is healthy, so its first seconds show how warm a just-started peer is.
    const leader = await cluster.healthy();
    const r = await closedLoop(cluster.request(leader), inFlight, WARMUP_MS, MEASURE_MS, () => cluster.cpuSeconds());
    log(`${what} ${inFlight} in flight: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
      `other answers ${r.failed}, warm start ${(warmStart(r) * 100).toFixed(0)}%, CPU servers ${r.serverCpu.toFixed(2)} client ${r.clientCpu.toFixed(2)} machine ${r.machineCpu.toFixed(2)}`);
    return r;
  });
}

/** failover kills the leader `runs` times and measures until a survivor acknowledges a write; the killed member restarts between runs. */
async function failover<M extends { child: Child | null }>(what: string, make: () => BenchCluster<M>, runs: number): Promise<FailoverResult> {
  return withCluster(what, make, async (cluster) => {
    const result: FailoverResult = { runs: [] };
    const t0 = performance.now();
    for (let run = 1; run <= runs; run++) {
      if (performance.now() - t0 > FAILOVER_BUDGET_MS) {
        result.note = `stopped after ${run - 1} runs: the time budget of the failover runs (${FAILOVER_BUDGET_MS / 1000} s) was spent`;
        break;
      }
      try {
        const leader = await cluster.healthy();
        await sleep(SETTLE_MS);
        const targets = cluster.running().filter((m) => m !== leader).map((m) => cluster.request(m));
        const t0 = performance.now();
        leader.child!.process.kill('SIGKILL');
        const ms = await firstSuccess(targets, t0);
        result.runs.push(ms);
        log(`${what} failover run ${run}: ${ms === null ? 'no commit within 20 s' : `${ms.toFixed(0)} ms`}`);
        await leader.child!.exited;
        await cluster.restart(leader);
      } catch (error) {
        // Keep the runs measured so far; the report says why the others are missing.
        result.note = `stopped after ${run - 1} runs: ${(error as Error).message.split('\n')[0]}`;
        log(`${what} failover run ${run} failed: ${(error as Error).stack ?? String(error)}\n${cluster.tails()}`);
        break;
      }
    }
    return result;
  });
}

/** warmStart is the pace of the first WARM_START_SECONDS of a point's warm-up against its measured pace. */
function warmStart(r: LoadResult): number {
  const slices = r.warmupRates.slice(0, Math.round((WARM_START_SECONDS * 1000) / WARMUP_SLICE_MS));
  return slices.reduce((a, b) => a + b, 0) / slices.length / r.perSecond;
}

/** idle measures a fresh cluster's CPU while nobody writes. */
async function idle<M extends { child: Child | null }>(what: string, make: () => BenchCluster<M>): Promise<IdleResult> {
  return withCluster(what, make, async (cluster) => {
    const r = await idleCores(cluster, IDLE_WARM_WRITES, IDLE_SETTLE_MS, IDLE_SECONDS * 1000);
    log(`${what} idle over ${r.seconds.toFixed(0)} s: ${r.cores.toFixed(3)} cores (${r.perMember.map((c) => c.toFixed(3)).join(' + ')})`);
    return r;
  });
}

/** memory fills a fresh cluster with MEMORY_WRITES writes and reads its members' memory; `after` runs on the filled cluster. */
async function memory<M extends { child: Child | null }, C extends BenchCluster<M>>(what: string, make: () => C,
  after?: (cluster: C) => Promise<void>): Promise<MemoryResult> {
  return withCluster(what, make, async (cluster) => {
    const r = await memoryAfter(cluster, MEMORY_WRITES, MEMORY_IN_FLIGHT);
    log(`${what} after ${r.writes} writes in ${r.seconds.toFixed(0)} s (${r.failed} other answers): ` +
      r.members.map((m) => `${m.rssMiB.toFixed(0)} MiB (peak ${m.peakMiB.toFixed(0)})`).join(', ') +
      `; after ${REST_MS / 1000} s at rest: ${r.rested.map((m) => `${m.rssMiB.toFixed(0)} MiB`).join(', ')}`);
    await after?.(cluster);
    return r;
  });
}

/** measure runs a phase of one system and keeps its first error instead of stopping the bench. */
async function measure<T>(result: SystemResult, phase: () => Promise<T>): Promise<T | null> {
  try {
    return await phase();
  } catch (error) {
    result.error ??= (error as Error).message;
    return null;
  }
}

interface FormationResult { runs: FormationRun[]; listen: string; coldStartMs: number[]; problem?: string }

async function benchFormation(): Promise<FormationResult> {
  const result: FormationResult = { runs: [], listen: 'the default addresses (every interface, /ip4/0.0.0.0/tcp/0)', coldStartMs: [] };
  let netns: typeof import('../test/lan/netns.ts');
  try {
    netns = await import('../test/lan/netns.ts');
  } catch (error) {
    result.problem = `test/lan/netns.ts could not be loaded: ${(error as Error).message}`;
    return result;
  }
  const problem = await netns.lanProblem();
  if (problem !== null) {
    result.problem = problem;
    return result;
  }
  try {
    log('making five network namespaces');
    lan = await netns.Lan.create(5);
    // Reference: one peer starting alone (no other process starting beside it).
    result.coldStartMs.push(await coldStartMs(lan.hosts[0]!));
    log(`one peer alone, spawn to ready line: ${result.coldStartMs.map((x) => x.toFixed(0)).join(', ')} ms`);
    for (let run = 1; run <= FORMATION_RUNS; run++) {
      try {
        const r = await formOnce(lan.hosts);
        result.runs.push(r);
        log(`formation run ${run}: ${r.formedMs === null ? 'did not form' : `${r.formedMs.toFixed(0)} ms`} (all ready at ${r.allReadyMs.toFixed(0)} ms)${r.error !== undefined ? `\n${r.error}` : ''}`);
      } catch (error) {
        result.runs.push({ formedMs: null, allReadyMs: NaN, firstReadyMs: NaN, votersAtMs: [], othersCpu: NaN, error: (error as Error).message });
        log(`formation run ${run} failed: ${(error as Error).message}`);
      }
    }
  } catch (error) {
    result.problem = `the namespaces could not be made: ${(error as Error).message}`;
  } finally {
    await lan?.destroy();
    lan = null;
  }
  return result;
}

// ---- Report ------------------------------------------------------------------

const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fmtMs = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n).toLocaleString('en-US')} ms`);
const fmtCores = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(3));
const fmtMiB = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} MiB` : '–');
const pct = (p: LoadResult | undefined) => (p === undefined || p.seconds === 0 ? '–' : `${Math.round(warmStart(p) * 100)}%`);
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '–' : `${(a / b).toFixed(2)}×`);

function machine(): string {
  const cpus = os.cpus();
  let fs = '';
  try {
    fs = execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '-T', os.tmpdir()], { encoding: 'utf8' }).trim().replace(/\s+/, ' on ');
  } catch {
    fs = 'unknown filesystem';
  }
  return `${cpus[0]?.model.trim()} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}, ${os.tmpdir()} on ${fs}`;
}

function failoverStats(f: FailoverResult | null): { p50: number | null; max: number | null; ok: number; all: number } {
  const ok = (f?.runs ?? []).filter((x): x is number => x !== null);
  return { p50: ok.length > 0 ? percentile(ok, 0.5) : null, max: ok.length > 0 ? Math.max(...ok) : null, ok: ok.length, all: f?.runs.length ?? 0 };
}

function report(rn: SystemResult | null, etcd: SystemResult | null, etcdVer: string | null, formation: FormationResult | null,
  quiet: { others: number; waitedMs: number }): string {
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push('# Cluster benchmark: Raftnotes beside etcd', '',
    `Measured ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC by \`npm run bench:cluster\` in ${(elapsedMs() / 1000).toFixed(0)} s`,
    `on ${machine()}; Node ${process.version}; ${etcdVer ?? 'etcd not installed'}.`,
    `Load average (1 min) at the start ${LOAD_AT_START.toFixed(2)}, at the end ${os.loadavg()[0]!.toFixed(2)}, on ${os.cpus().length} cores; client and servers share the machine (see "other CPU" below).`,
    `Other work on the machine at the start: ${quiet.others.toFixed(2)} cores (the bench waited ${(quiet.waitedMs / 1000).toFixed(0)} s, at most ${WAIT_QUIET_MS / 1000} s, for it to fall below ${QUIET_CORES}).`, '');

  push('## What was measured', '',
    '- **Raftnotes**: three `raftnotes serve` processes on 127.0.0.1 (`--no-mdns --peer`), durable storage (fdatasync per Raft batch) in temporary directories, default timings (10 ms tick, elections after 150–300 ms).',
    '  A write is `POST /api/notes` of a 100-byte text to the leader, counted when answered 201 (committed and applied).',
    `- **etcd** (${etcdVer ?? 'not installed'}, Debian's etcd-server): three members on 127.0.0.1, default settings (fsync on, heartbeat 100 ms, election timeout 1,000 ms), data in temporary directories.`,
    ETCD_API === 'grpc'
      ? '  A write is a put of a 100-byte value through etcd\'s gRPC API to the leader, with the `etcd3` client (@grpc/grpc-js; one client per member, its retries off), counted when answered.'
      : '  A write is `POST /v3/kv/put` of a 100-byte value (base64 key and value) through the HTTP/JSON gateway of the leader, counted when answered 200 without error.',
    `- Both driven from one Node client process (Raftnotes through ${RAFTNOTES_API === 'h2' ? 'node:http2, one HTTP/2 connection per peer, as etcd\'s gRPC client keeps one per member' : 'node:http, keep-alive, one connection per request in flight'}), a closed loop of N requests in flight, ${WARMUP_MS / 1000} s warm-up then ${MEASURE_MS / 1000} s measured per point.`,
    '  The warm-up is long because Raftnotes runs on V8, which compiles the write path to optimized code only after it has run many times:',
    '  at one write in flight its pace roughly doubles over the first 15–20 s (the client, also Node, speeds up too). The pace during the warm-up',
    '  is in "Warm-up" below, for both systems, so the cold figures stay visible. The load starts as soon as the fresh cluster is healthy (a second or two',
    `  after the ready lines); "warm start" is the pace of its first ${WARM_START_SECONDS} s against the measured pace.`,
    '  Latency is request to acknowledgement, of the writes acknowledged in the measured window. Each point runs on a fresh cluster, and the two systems',
    '  take turns (Raftnotes 1, etcd 1, Raftnotes 16, …), so both see the same stretch of a machine whose other load drifts.',
    `- **Failover**: with the cluster healthy (every member caught up, ${SETTLE_MS} ms settle), \`kill -9\` of the leader; from the kill, each survivor gets a new write every 50 ms`,
    '  until the first is acknowledged (201 / 200). The killed process is restarted on its data directory between runs.',
    '  The systems run their own defaults: etcd waits 1,000–2,000 ms of silence before an election, Raftnotes 150–300 ms, which accounts for most of the difference.',
    `- **Idle**: a fresh cluster takes ${IDLE_WARM_WRITES.toLocaleString('en-US')} writes (4 in flight), rests ${IDLE_SETTLE_MS / 1000} s, then the CPU of its three processes is read over ${IDLE_SECONDS} s in which nobody writes.`,
    `- **Memory**: a fresh cluster takes ${MEMORY_WRITES.toLocaleString('en-US')} writes of 100 bytes (${MEMORY_IN_FLIGHT} in flight); then each process's resident memory (VmRSS) and its peak (VmHWM)`,
    `  as the last write is acknowledged, and again after ${REST_MS / 1000} s in which nobody writes (Raftnotes gives memory back once its document has been quiet for 2 s after growing; etcd's Go runtime returns memory on its own schedule).`,
    '  Then a fourth Raftnotes peer joins that notebook with its invite code: "catch-up" is from its ready line (and from its spawn) until it has applied what the leader had committed;',
    `  its resident memory is read then (with its peak) and after ${REST_MS / 1000} s at rest.`,
    '- **Formation**: five Raftnotes peers in five network namespaces on one bridge (test/lan/netns.ts), started at the same moment from fresh data directories;',
    '  the first holds a new notebook, the other four an invite code without addresses, so only mDNS brings them together.',
    '  Measured from spawning the processes to the leader\'s `GET /api/status` listing five voters. etcd has no equivalent (its members are configured, not discovered).', '');

  push('## Results', '', '| measure | Raftnotes | etcd | Raftnotes / etcd |', '| --- | ---: | ---: | ---: |');
  for (const [i, n] of IN_FLIGHT.entries()) {
    const a = rn?.load[i];
    const b = etcd?.load[i];
    push(`| writes/s, ${n} in flight | ${fmtInt(a?.perSecond ?? NaN)} | ${fmtInt(b?.perSecond ?? NaN)} | ${ratio(a?.perSecond, b?.perSecond)} |`);
    push(`| p50 commit latency, ${n} in flight | ${fmtMs(a?.p50Ms)} | ${fmtMs(b?.p50Ms)} | ${ratio(a?.p50Ms, b?.p50Ms)} |`);
    push(`| p99 commit latency, ${n} in flight | ${fmtMs(a?.p99Ms)} | ${fmtMs(b?.p99Ms)} | ${ratio(a?.p99Ms, b?.p99Ms)} |`);
  }
  const fr = failoverStats(rn?.failover ?? null);
  const fe = failoverStats(etcd?.failover ?? null);
  push(`| failover p50 (kill -9 → next commit) | ${fmtMs(fr.p50)} | ${fmtMs(fe.p50)} | ${ratio(fr.p50, fe.p50)} |`);
  push(`| failover max | ${fmtMs(fr.max)} | ${fmtMs(fe.max)} | ${ratio(fr.max, fe.max)} |`);
  push(`| failover runs that committed | ${fr.ok} of ${fr.all} | ${fe.ok} of ${fe.all} | |`);
  for (const [i, n] of IN_FLIGHT.entries()) {
    const a = rn?.load[i];
    const b = etcd?.load[i];
    push(`| warm start, ${n} in flight (first ${WARM_START_SECONDS} s / measured) | ${pct(a)} | ${pct(b)} | |`);
  }
  push(`| idle CPU, three processes over ${IDLE_SECONDS} s (cores) | ${fmtCores(rn?.idle?.cores)} | ${fmtCores(etcd?.idle?.cores)} | ${ratio(rn?.idle?.cores, etcd?.idle?.cores)} |`);
  const peak = (r: SystemResult | null | undefined) => Math.max(...(r?.memory?.members ?? []).map((m) => m.peakMiB));
  const rss = (r: SystemResult | null | undefined) => Math.max(...(r?.memory?.members ?? []).map((m) => m.rssMiB));
  const rested = (r: SystemResult | null | undefined) => Math.max(...(r?.memory?.rested ?? []).map((m) => m.rssMiB));
  push(`| resident memory as the last of ${MEMORY_WRITES.toLocaleString('en-US')} writes is acknowledged, largest process | ${fmtMiB(rss(rn))} | ${fmtMiB(rss(etcd))} | ${ratio(rss(rn), rss(etcd))} |`);
  push(`| resident memory after those writes and ${REST_MS / 1000} s at rest, largest process | ${fmtMiB(rested(rn))} | ${fmtMiB(rested(etcd))} | ${ratio(rested(rn), rested(etcd))} |`);
  push(`| peak resident memory, largest process | ${fmtMiB(peak(rn))} | ${fmtMiB(peak(etcd))} | ${ratio(peak(rn), peak(etcd))} |`);
  push(`| a fourth peer catches up on that notebook, from its ready line (from spawn) | ${fmtMs(rn?.catchUp?.fromReadyMs)} (${fmtMs(rn?.catchUp?.fromSpawnMs)}) | n/a | |`);
  const joined = rn?.catchUp;
  push(`| that fourth peer's resident memory as it has caught up (its peak) | ${fmtMiB(joined?.caughtUp.rssMiB ?? NaN)} (${fmtMiB(joined?.caughtUp.peakMiB ?? NaN)}) | ${fmtMiB(rss(etcd))} | ${ratio(joined?.caughtUp.rssMiB, rss(etcd))} |`);
  push(`| that fourth peer's resident memory after ${REST_MS / 1000} s at rest | ${fmtMiB(joined?.rested.rssMiB ?? NaN)} | ${fmtMiB(rested(etcd))} | ${ratio(joined?.rested.rssMiB, rested(etcd))} |`);
  const formed = (formation?.runs ?? []).map((r) => r.formedMs).filter((x): x is number => x !== null);
  const formP50 = formed.length > 0 ? percentile(formed, 0.5) : null;
  push(`| formation, 5 voters via mDNS (median of ${formed.length}) | ${formation?.problem !== undefined ? 'not measured' : fmtMs(formP50)} | n/a | |`, '');

  push('### Per point', '',
    `CPU in cores (CPU-seconds per second; the machine has ${os.cpus().length}): the three server processes together, the client (this process),`,
    'and everything else running on the machine meanwhile (other work on a shared machine; it competes with both systems).',
    '"CPU per write" is the servers\' CPU time per acknowledged write, all three together: the figure least moved by other work on the machine.', '',
    '| system | in flight | acknowledged | other answers | writes/s | p50 | p99 | server CPU | CPU per write | client CPU | other CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r] of [['Raftnotes', rn], ['etcd', etcd]] as const) {
    for (const p of (r?.load ?? []).filter((x) => x.seconds > 0)) {
      push(`| ${name} | ${p.inFlight} | ${fmtInt(p.committed)} | ${p.failed} | ${fmtInt(p.perSecond)} | ${fmtMs(p.p50Ms)} | ${fmtMs(p.p99Ms)} | ${p.serverCpu.toFixed(2)} | ${fmtMs((p.serverCpu * 1000) / p.perSecond)} | ${p.clientCpu.toFixed(2)} | ${Math.max(0, p.machineCpu - p.serverCpu - p.clientCpu).toFixed(2)} |`);
    }
  }
  push('', '### Warm-up', '',
    `Acknowledged writes/s in each ${WARMUP_SLICE_MS / 1000} s of the warm-up, from the first request on a fresh, healthy cluster (not counted above).`, '',
    '| system | in flight | writes/s per slice |', '| --- | ---: | --- |');
  for (const [name, r] of [['Raftnotes', rn], ['etcd', etcd]] as const) {
    for (const p of (r?.load ?? []).filter((x) => x.seconds > 0)) {
      push(`| ${name} | ${p.inFlight} | ${p.warmupRates.map((x) => fmtInt(x)).join(', ')} |`);
    }
  }
  push('', '### Failover runs', '', '| system | runs (ms from kill -9 to the first acknowledged write) |', '| --- | --- |');
  for (const [name, r] of [['Raftnotes', rn], ['etcd', etcd]] as const) {
    push(`| ${name} | ${(r?.failover?.runs ?? []).map((x) => (x === null ? 'none in 20 s' : Math.round(x))).join(', ') || '–'}${r?.failover?.note !== undefined ? ` (${r.failover.note})` : ''} |`);
  }
  push('', '### Formation runs', '');
  if (formation === null) push('Not run.');
  else if (formation.problem !== undefined) push(`Not measured: ${formation.problem}.`);
  else {
    push(`Peers listen on ${formation.listen}; each namespace's API is reached over its control link.`,
      `For reference, one peer starting alone in a namespace (new notebook, nothing else starting) prints its ready line ${formation.coldStartMs.map((x) => fmtMs(x)).join(' and ')} after spawn.`,
      'All times in ms from spawning the five processes; "other CPU" is the cores other work on the machine kept busy meanwhile.', '',
      '| run | first ready line | last ready line | leader lists 2 / 3 / 4 voters | five voters | other CPU |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [i, r] of formation.runs.entries()) {
      const steps = r.votersAtMs.slice(1, 4).map((x) => (x === null ? '–' : Math.round(x).toLocaleString('en-US'))).join(' / ');
      push(`| ${i + 1} | ${fmtMs(r.firstReadyMs)} | ${fmtMs(r.allReadyMs)} | ${steps} | ${r.formedMs === null ? `not formed${r.error !== undefined ? ` (${r.error.split('\n')[0]})` : ''}` : fmtMs(r.formedMs)} | ${Number.isFinite(r.othersCpu) ? r.othersCpu.toFixed(2) : '–'} |`);
    }
  }

  push('', '## Targets (from the issue)', '');
  const met = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**not met**');
  for (const [i, n] of IN_FLIGHT.entries()) {
    const a = rn?.load[i];
    const b = etcd?.load[i];
    const want = n >= 64 ? 1.5 : 1.2;
    const measured = a !== undefined && b !== undefined && a.seconds > 0 && b.seconds > 0;
    push(`- throughput ≥ ${want}× etcd's at ${n} in flight: ${fmtInt(a?.perSecond ?? NaN)} vs ${fmtInt(b?.perSecond ?? NaN)} writes/s (${ratio(a?.perSecond, b?.perSecond)}): ${met(measured ? a.perSecond >= want * b.perSecond : null)}`);
    if (n < 64) push(`- p50 ≤ etcd's at ${n} in flight: ${fmtMs(a?.p50Ms)} vs ${fmtMs(b?.p50Ms)}: ${met(measured ? a.p50Ms <= b.p50Ms : null)}`);
    push(`- warm from the start (first ${WARM_START_SECONDS} s ≥ 90% of the steady pace) at ${n} in flight: ${pct(a)}: ${met(a === undefined || a.seconds === 0 ? null : warmStart(a) >= 0.9)}`);
  }
  push(`- idle: three peers ≤ 0.04 cores together: ${fmtCores(rn?.idle?.cores)}: ${met(rn?.idle == null ? null : rn.idle.cores <= 0.04)}`);
  push(`- failover p50 ≤ 600 ms: ${fmtMs(fr.p50)}: ${met(fr.p50 === null ? null : fr.p50 <= 600 && fr.ok === fr.all)}`);
  for (const [when, read] of [['as the last write is acknowledged', rss], [`after ${REST_MS / 1000} s at rest`, rested]] as const) {
    const rnMax = read(rn);
    const etcdMax = read(etcd);
    push(`- memory after ${MEMORY_WRITES.toLocaleString('en-US')} writes ≤ 0.8× etcd's (largest process, resident), ${when}: ${fmtMiB(rnMax)} vs ${fmtMiB(etcdMax)} (${ratio(rnMax, etcdMax)}): ${met(Number.isFinite(rnMax) && Number.isFinite(etcdMax) ? rnMax <= 0.8 * etcdMax : null)}`);
  }
  for (const [when, read, etcdRead] of [['as it has caught up', (c: CatchUp) => c.caughtUp, rss], [`after ${REST_MS / 1000} s at rest`, (c: CatchUp) => c.rested, rested]] as const) {
    const joinedMiB = rn?.catchUp == null ? NaN : read(rn.catchUp).rssMiB;
    const etcdMax = etcdRead(etcd);
    push(`- memory of the peer that joined the filled notebook ≤ 0.8× etcd's (largest member, resident), ${when}: ${fmtMiB(joinedMiB)} vs ${fmtMiB(etcdMax)} (${ratio(joinedMiB, etcdMax)}): ${met(Number.isFinite(joinedMiB) && Number.isFinite(etcdMax) ? joinedMiB <= 0.8 * etcdMax : null)}`);
  }
  push(`- a new peer catches up on that notebook within 2 s (from its ready line): ${fmtMs(rn?.catchUp?.fromReadyMs)}: ${met(rn?.catchUp == null ? null : rn.catchUp.fromReadyMs <= 2000)}`);
  push(`- formation ≤ 3 s: ${fmtMs(formP50)} (median), max ${fmtMs(formed.length > 0 ? Math.max(...formed) : null)}: ${met(formP50 === null ? null : formP50 <= 3000 && formed.length === (formation?.runs.length ?? 0))}`);
  for (const [name, r] of [['Raftnotes', rn], ['etcd', etcd]] as const) {
    if (r?.error !== undefined) push('', `${name} failed: \`${r.error.split('\n')[0]}\``);
  }
  push('');
  return lines.join('\n');
}

// ---- Main --------------------------------------------------------------------

/** othersCpu is the cores the rest of the machine keeps busy over one second (this process excluded; no children run yet). */
async function othersCpu(): Promise<number> {
  const machine0 = machineBusySeconds();
  const own0 = process.cpuUsage();
  await sleep(1000);
  const own = process.cpuUsage(own0);
  return Math.max(0, machineBusySeconds() - machine0 - (own.user + own.system) / 1e6);
}

/** waitQuiet waits, up to WAIT_QUIET_MS, until other work on the machine takes less than QUIET_CORES. */
async function waitQuiet(): Promise<{ others: number; waitedMs: number }> {
  const t0 = performance.now();
  let others = await othersCpu();
  while (others > QUIET_CORES && performance.now() - t0 < WAIT_QUIET_MS) {
    log(`other work keeps ${others.toFixed(2)} cores busy; waiting for a quieter machine`);
    others = await othersCpu();
  }
  return { others, waitedMs: performance.now() - t0 };
}

// The systems take turns, each point on a fresh cluster, so both see the same
// moments of a machine whose other load drifts.
const raftnotes = (): RaftnotesCluster => new RaftnotesCluster(RAFTNOTES_API);
const etcdCluster = (): BenchCluster<EtcdMember> => new EtcdCluster(ETCD_API);
const etcdVer = (await etcdVersion())?.replace(/^etcd Version: /, 'etcd ') ?? null;
const rn: SystemResult | null = SYSTEMS.has('raftnotes') ? emptySystem() : null;
const etcd: SystemResult | null = SYSTEMS.has('etcd') ? emptySystem() : null;
if (etcd !== null && etcdVer === null) etcd.error = 'etcd is not installed (apt-get install -y etcd-server etcd-client)';
const runEtcd = etcd !== null && etcdVer !== null;
let formation: FormationResult | null = null;
const quiet = await waitQuiet();
log(`other work at the start: ${quiet.others.toFixed(2)} cores (waited ${(quiet.waitedMs / 1000).toFixed(0)} s)`);
try {
  if (PHASES.has('load')) {
    for (const n of IN_FLIGHT) {
      if (rn !== null) rn.load.push(await measure(rn, () => point('Raftnotes', raftnotes, n)) ?? emptyPoint(n));
      if (runEtcd) etcd.load.push(await measure(etcd, () => point('etcd', etcdCluster, n)) ?? emptyPoint(n));
    }
  }
  if (PHASES.has('failover') && FAILOVER_RUNS > 0) {
    if (rn !== null) rn.failover = await measure(rn, () => failover('Raftnotes', raftnotes, FAILOVER_RUNS));
    if (runEtcd) etcd.failover = await measure(etcd, () => failover('etcd', etcdCluster, FAILOVER_RUNS));
  }
  if (PHASES.has('idle')) {
    if (rn !== null) rn.idle = await measure(rn, () => idle('Raftnotes', raftnotes));
    if (runEtcd) etcd.idle = await measure(etcd, () => idle('etcd', etcdCluster));
  }
  if (PHASES.has('memory')) {
    if (rn !== null) {
      rn.memory = await measure(rn, () => memory('Raftnotes', raftnotes, async (cluster) => {
        rn.catchUp = await cluster.catchUp(REST_MS);
        log(`a fourth peer caught up ${rn.catchUp.fromReadyMs.toFixed(0)} ms after its ready line (${rn.catchUp.fromSpawnMs.toFixed(0)} ms after spawn)`);
      }));
    }
    if (runEtcd) etcd.memory = await measure(etcd, () => memory('etcd', etcdCluster));
  }
  if (PHASES.has('formation')) formation = await benchFormation();
} finally {
  await cleanup();
}
const text = report(rn, etcd, etcdVer, formation, quiet);
console.log(text);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, text);

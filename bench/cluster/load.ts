// Load for the cluster benchmark: a closed loop of N requests in flight from
// the writes of one system (each system gives its own Request), a failover probe, and the percentiles reported.
import { readFileSync } from 'node:fs';
export { freePort } from '../../test/cluster/peer-process.ts';

/** Request is one write to send: it resolves true when the system acknowledged it as committed. */
export type Request = (n: number, signal?: AbortSignal) => Promise<boolean>;

/** LoadResult is what one point of the closed-loop load measured. */
export interface LoadResult {
  inFlight: number;
  seconds: number;
  committed: number;
  /** Requests answered other than committed (202, errors) within the window. */
  failed: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds per second used by the servers and by this process (the client) during the window. */
  serverCpu: number;
  clientCpu: number;
  /** CPU seconds per second the whole machine was busy (all processes, ours and others'). */
  machineCpu: number;
  /** Acknowledged writes per second in each WARMUP_SLICE_MS of the warm-up, in order: how fast each system reaches its pace. */
  warmupRates: number[];
}

/** The warm-up's writes are counted in slices of this length (LoadResult.warmupRates). */
export const WARMUP_SLICE_MS = 1_000;

/** closedLoop keeps `inFlight` requests outstanding for warm-up + measure seconds; only the measured window counts. */
export async function closedLoop(request: Request, inFlight: number, warmupMs: number, measureMs: number,
  serverCpuSeconds: () => number): Promise<LoadResult> {
  let n = 0;
  let measuring = false;
  let stop = false;
  let committed = 0;
  let failed = 0;
  const latencies: number[] = [];
  const warmupCounts = new Array<number>(Math.ceil(warmupMs / WARMUP_SLICE_MS)).fill(0);
  const loadStart = performance.now();
  const worker = async (): Promise<void> => {
    while (!stop) {
      const start = performance.now();
      let ok = false;
      try {
        ok = await request(n++);
      } catch {
        ok = false;
      }
      if (!measuring && ok) {
        const slice = Math.floor((performance.now() - loadStart) / WARMUP_SLICE_MS);
        if (slice < warmupCounts.length) warmupCounts[slice]!++;
      }
      if (!measuring || stop) continue;
      if (ok) {
        committed++;
        latencies.push(performance.now() - start);
      } else {
        failed++;
      }
    }
  };
  const workers = Array.from({ length: inFlight }, worker);
  await sleep(warmupMs);
  const server0 = serverCpuSeconds();
  const machine0 = machineBusySeconds();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await sleep(measureMs);
  stop = true;
  const elapsed = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  const server = serverCpuSeconds() - server0;
  const machine = machineBusySeconds() - machine0;
  await Promise.all(workers);
  return {
    inFlight, seconds: elapsed, committed, failed, perSecond: committed / elapsed,
    p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99),
    serverCpu: server / elapsed, clientCpu: (client.user + client.system) / 1e6 / elapsed, machineCpu: machine / elapsed,
    warmupRates: warmupCounts.map((count, i) => count / (Math.min(WARMUP_SLICE_MS, warmupMs - i * WARMUP_SLICE_MS) / 1000)),
  };
}

/** fill keeps up to `inFlight` requests outstanding until `total` were acknowledged; it returns the seconds taken and the other answers. */
export async function fill(request: Request, total: number, inFlight: number): Promise<{ seconds: number; failed: number }> {
  let n = 0;
  let pending = 0;
  let acknowledged = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (acknowledged + pending < total) {
      pending++;
      let ok = false;
      try {
        ok = await request(n++);
      } catch {
        ok = false;
      }
      pending--;
      if (ok) acknowledged++;
      else if (++failed > total) throw new Error(`more than ${total} writes were not acknowledged; stopped at write ${n}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { seconds: (performance.now() - t0) / 1000, failed };
}

/**
 * firstSuccess sends `request` to every target every `everyMs` (each try its own
 * request, so a slow answer never delays the next try) and resolves with the
 * ms from `t0` to the first acknowledged commit, or null after `timeoutMs`.
 */
export async function firstSuccess(targets: Request[], t0: number, everyMs = 50, timeoutMs = 20_000): Promise<number | null> {
  const abort = new AbortController();
  let n = 0;
  return new Promise<number | null>((resolve) => {
    let settled = false;
    const finish = (value: number | null): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(deadline);
      abort.abort();
      resolve(value);
    };
    const attempt = (): void => {
      for (const target of targets) {
        target(n++, abort.signal).then((ok) => { if (ok) finish(performance.now() - t0); }, () => {});
      }
    };
    const timer = setInterval(attempt, everyMs);
    const deadline = setTimeout(() => finish(null), timeoutMs);
    attempt();
  });
}

/** machineBusySeconds is the CPU time all cores of the machine spent busy since boot (/proc/stat; 0 elsewhere). */
export function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 8).map(Number);
    const [user, nice, system, , , irq, softirq] = fields as [number, number, number, number, number, number, number];
    return (user + nice + system + irq + softirq) / 100;
  } catch {
    return 0;
  }
}

/** percentile is the nearest-rank percentile of `values` (q in [0, 1]); NaN when empty. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** text100 is a 100-byte ASCII text that differs per request number. */
export function text100(n: number): string {
  const head = `bench note ${n} `;
  return head + 'x'.repeat(100 - head.length);
}


export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** waitUntil polls `check` every `everyMs` until it returns a value other than undefined, or throws after `ms`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last !== undefined ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

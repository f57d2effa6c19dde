// bench:storage measures DiskStorage beside the disk's own limit, in one run:
//   - the raw fdatasync rate (pwrite 4 KiB in place + fdatasync, sync calls, a
//     tight loop): the most durable writes per second this disk allows;
//   - save() at 1, 10 and 100 entries per batch (100-byte entries plus a hard
//     state each batch, as a Raft follower writes): batches/s, entries/s and
//     p50/p99 latency of the whole save();
//   - open() + load() of a log of 1,000,000 entries.
// Writes the report to bench/results/storage.md and prints it.
//
// npm run bench:storage [-- --dir <dir on the disk to measure>] [--seconds <per measurement>]

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Entry } from '../core/raft/types.ts';
import { DiskStorage } from '../core/storage/index.ts';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: os.tmpdir() },
    seconds: { type: 'string', default: '3' },
    'reopen-child': { type: 'string' }, // internal: time open() + load() of this directory in a fresh process
  },
});
if (args['reopen-child'] !== undefined) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const storage = await DiskStorage.open(args['reopen-child']);
  const state = await storage.load();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  await storage.close();
  console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, entries: state.entries.length, last: state.entries.at(-1)?.index }));
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const root = fs.mkdtempSync(path.join(args.dir, 'raftnotes-bench-'));
const resultsFile = fileURLToPath(new URL('./results/storage.md', import.meta.url));

interface Measure {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

/** Runner measures one thing in time slices, so slices of every runner interleave and share the machine's conditions. */
interface Runner {
  run(ms: number): Promise<void>;
  result(): Measure;
  close(): Promise<void>;
}

function recorder(): { record: (ms: number) => void; add: (ms: number) => void; result: () => Measure } {
  const latencies: number[] = [];
  let elapsed = 0;
  return {
    record: (ms) => latencies.push(ms),
    add: (ms) => (elapsed += ms),
    result: () => {
      const sorted = Float64Array.from(latencies).sort();
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
      return { ops: latencies.length, seconds: elapsed / 1000, p50: at(0.5), p99: at(0.99) };
    },
  };
}

/** rawFdatasync is the physical limit: one 4 KiB block rewritten in place and fdatasynced, over and over. */
function rawFdatasync(): Runner {
  const file = path.join(root, 'raw');
  const fd = fs.openSync(file, 'w+');
  const block = Buffer.alloc(4096, 0x5a);
  fs.writeSync(fd, block, 0, block.length, 0);
  fs.fsyncSync(fd);
  const r = recorder();
  return {
    async run(ms) {
      const start = performance.now();
      for (let now = start; now < start + ms; ) {
        fs.writeSync(fd, block, 0, block.length, 0);
        fs.fdatasyncSync(fd);
        const t = performance.now();
        r.record(t - now);
        now = t;
      }
      r.add(performance.now() - start);
    },
    result: r.result,
    async close() {
      fs.closeSync(fd);
      fs.rmSync(file);
    },
  };
}

function makeEntries(first: number, count: number, data: Uint8Array): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) out.push({ index: first + i, term: 1, kind: 'command', data });
  return out;
}

/** saves measures save() with `perBatch` entries of 100 bytes and a hard state per batch, as a follower persists. */
async function saves(perBatch: number): Promise<Runner> {
  const dir = path.join(root, `batch-${perBatch}`);
  const storage = await DiskStorage.open(dir);
  const data = new Uint8Array(100).map((_, i) => (i * 37) & 0xff);
  let last = 0;
  const batch = () => {
    const entries = makeEntries(last + 1, perBatch, data);
    last += perBatch;
    return { hardState: { term: 1, votedFor: 'bench', commitIndex: last - perBatch }, entries, snapshot: null };
  };
  for (let i = 0; i < 200; i++) await storage.save(batch()); // warm up the JIT
  const r = recorder();
  return {
    async run(ms) {
      const start = performance.now();
      for (let now = start; now < start + ms; ) {
        const b = batch();
        await storage.save(b);
        const t = performance.now();
        r.record(t - now);
        now = t;
      }
      r.add(performance.now() - start);
    },
    result: r.result,
    async close() {
      await storage.close();
      fs.rmSync(dir, { recursive: true });
    },
  };
}

/** reopen builds a log of `count` entries and times open() + load() of it, each time in a fresh process as a peer starts. */
async function reopen(count: number): Promise<{ ms: number[]; cpuMs: number[]; bytes: number; segments: number }> {
  const dir = path.join(root, 'reopen');
  const storage = await DiskStorage.open(dir);
  const data = new Uint8Array(100).fill(7);
  for (let first = 1; first <= count; first += 1000) {
    await storage.save({ hardState: { term: 1, votedFor: 'bench', commitIndex: first - 1 }, entries: makeEntries(first, 1000, data), snapshot: null });
  }
  await storage.close();
  const segments = fs.readdirSync(dir).filter((n) => n.startsWith('wal-'));
  const bytes = segments.reduce((sum, n) => sum + fs.statSync(path.join(dir, n)).size, 0);
  const ms: number[] = [];
  const cpuMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--reopen-child', dir], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; cpuMs: number; entries: number; last: number };
    if (r.entries !== count || r.last !== count) throw new Error(`reopen lost entries: ${out}`);
    ms.push(r.ms);
    cpuMs.push(r.cpuMs);
  }
  fs.rmSync(dir, { recursive: true });
  return { ms, cpuMs, bytes, segments: segments.length };
}

function filesystem(): string {
  try {
    const line = execFileSync('df', ['-T', root], { encoding: 'utf8' }).trim().split('\n')[1].split(/\s+/);
    return `${line[1]} on ${line[0]}`;
  } catch {
    return 'unknown';
  }
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const us = (ms: number) => `${fmt(ms * 1000)} µs`;

const SLICES = 10;
try {
  const load = os.loadavg()[0];
  const raw = rawFdatasync();
  const sizes = [1, 10, 100];
  const runners: Runner[] = [];
  for (const perBatch of sizes) runners.push(await saves(perBatch));
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the first segments' background zero-fill finish
  for (let slice = 0; slice < SLICES; slice++) {
    for (const runner of [raw, ...runners]) await runner.run((SECONDS * 1000) / SLICES);
  }
  const rawM = raw.result();
  const results = runners.map((runner, i) => ({ perBatch: sizes[i], m: runner.result() }));
  for (const runner of [raw, ...runners]) await runner.close();
  const reopened = await reopen(1_000_000);
  const loadAfter = os.loadavg()[0];

  const rate = (m: Measure) => m.ops / m.seconds;
  const rawRate = rate(rawM);
  const lines = [
    '# Storage benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:storage\` (${SECONDS} s per measurement)`,
    `on ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, ${filesystem()} (${args.dir}).`,
    '',
    '## Raw fdatasync rate (the physical limit)',
    '',
    'pwrite of 4 KiB in place + fdatasync, synchronous calls in a tight loop. Every measurement below runs in',
    `${SLICES} slices taken in turn with the others, so all share the same moments of the machine.`,
    `Load average (1 min) at start ${fmt(load, 2)}, at end ${fmt(loadAfter, 2)} on ${os.cpus().length} cores.`,
    '',
    '| fdatasync/s | p50 | p99 |',
    '| ---: | ---: | ---: |',
    `| ${fmt(rawRate)} | ${us(rawM.p50)} | ${us(rawM.p99)} |`,
    '',
    '## DiskStorage.save()',
    '',
    '100-byte entries and a hard state in every batch; one save() = one fdatasync. Latency is the whole awaited save().',
    '"of raw" compares batches/s with the raw fdatasync rate above.',
    '',
    '| entries per batch | batches/s | entries/s | p50 | p99 | of raw |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      ({ perBatch, m }) =>
        `| ${perBatch} | ${fmt(rate(m))} | ${fmt(rate(m) * perBatch)} | ${us(m.p50)} | ${us(m.p99)} | ${fmt(rate(m) / rawRate, 2)} |`,
    ),
    '',
    '## Reopen',
    '',
    `open() + load() of 1,000,000 entries (100-byte data; ${reopened.segments} segments, ${fmt(reopened.bytes / 2 ** 20, 1)} MiB on disk),`,
    'each in a fresh process as at a peer\'s start, page cache warm:',
    '',
    '| run | wall | CPU (all threads, GC included) |',
    '| ---: | ---: | ---: |',
    ...reopened.ms.map((ms, i) => `| ${i + 1} | ${fmt(ms)} ms | ${fmt(reopened.cpuMs[i])} ms |`),
    '',
    '## Targets',
    '',
    `- 1 entry per batch at >= 0.8 of the raw rate: ${fmt(rate(results[0].m) / rawRate, 2)} ${rate(results[0].m) / rawRate >= 0.8 ? 'met' : 'NOT met'}`,
    `- >= 100,000 entries/s at 100 per batch: ${fmt(rate(results[2].m) * 100)} ${rate(results[2].m) * 100 >= 100_000 ? 'met' : 'NOT met'}`,
    `- reopen of 1,000,000 entries under 2 s: ${fmt(median(reopened.ms))} ms (median of three) ${median(reopened.ms) < 2000 ? 'met' : 'NOT met'}`,
    '',
  ];
  const report = lines.join('\n');
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, report);
  console.log(report);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}

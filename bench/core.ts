// bench:core — the Raft core alone: N nodes in one process over an in-memory
// transport, no storage, 100-byte entries, 1 or 64 proposals in flight.
// Prints committed entries per second and heap bytes allocated per entry, and
// writes bench/results/core.md.
//
//   npm run bench:core [-- --seconds 2]
//
// Allocation is measured in a child process with a young generation large
// enough that no garbage collection runs during the measured window (checked),
// so the growth of the heap is what the entries allocated.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import os from 'node:os';
import { RaftNode } from '../core/raft/index.ts';
import type { Message } from '../core/raft/index.ts';

const ENTRY_BYTES = 100;
const COMPACT_EVERY = 10_000;

/** Cluster is N RaftNodes wired by an in-memory queue, each applying what commits. */
class Cluster {
  readonly nodes: RaftNode[];
  private readonly byId = new Map<string, RaftNode>();
  private queue: Message[] = [];
  /** Commands applied by the leader (node 0). */
  leaderApplied = 0;

  constructor(size: number) {
    const ids = Array.from({ length: size }, (_, i) => `n${i}`);
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    this.nodes = ids.map((id) => new RaftNode({ id, membership: { voters: ids, learners: [] }, random }));
    for (const n of this.nodes) this.byId.set(n.id, n);
    this.nodes[0]!.campaign();
    this.pump();
    if (this.nodes[0]!.status().role !== 'leader') throw new Error('node 0 did not become leader');
  }

  /** pump runs ready loops and deliveries until the cluster is quiet. */
  pump(): void {
    for (;;) {
      for (const n of this.nodes) this.drain(n);
      if (this.queue.length === 0) return;
      const q = this.queue;
      this.queue = [];
      for (const m of q) this.byId.get(m.to)!.step(m);
    }
  }

  private drain(n: RaftNode): void {
    while (n.hasReady()) {
      const rd = n.ready();
      for (const m of rd.messages) this.queue.push(m);
      let applied = 0;
      let last = 0;
      for (const e of rd.committed) {
        if (e.kind === 'command') applied++;
        last = e.index;
      }
      n.advance(rd);
      if (n === this.nodes[0]) this.leaderApplied += applied;
      if (last > 0 && last % COMPACT_EVERY < rd.committed.length) n.compact(last, new Uint8Array(8));
    }
  }
}

/** run proposes 100-byte entries with `inflight` outstanding, for `seconds` or `count` entries. */
function run(size: number, inflight: number, opts: { seconds?: number; count?: number }): { entries: number; seconds: number } {
  const c = new Cluster(size);
  const leader = c.nodes[0]!;
  const payload = new Uint8Array(ENTRY_BYTES);
  let proposed = 0;
  const base = c.leaderApplied;
  const start = performance.now();
  const deadline = opts.seconds !== undefined ? start + opts.seconds * 1000 : Infinity;
  const target = opts.count ?? Infinity;
  while (c.leaderApplied - base < target) {
    while (proposed - (c.leaderApplied - base) < inflight && proposed < target) {
      if (!leader.propose(payload).ok) throw new Error('leader refused a proposal');
      proposed++;
    }
    c.pump();
    if ((proposed & 63) === 0 && performance.now() > deadline) break;
  }
  const seconds = (performance.now() - start) / 1000;
  return { entries: c.leaderApplied - base, seconds };
}

function measureAllocation(size: number, inflight: number): number | null {
  const count = 20_000;
  run(size, inflight, { count: 2_000 }); // warm up the JIT
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  (globalThis as { gc?: () => void }).gc?.();
  const before = v8.getHeapStatistics().used_heap_size;
  gcs = 0;
  run(size, inflight, { count });
  const after = v8.getHeapStatistics().used_heap_size;
  obs.disconnect();
  return gcs === 0 ? (after - before) / count : null;
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, 'alloc-child': { type: 'string' } } });

if (values['alloc-child'] !== undefined) {
  const [size, inflight] = values['alloc-child'].split(',').map(Number);
  process.stdout.write(JSON.stringify(measureAllocation(size!, inflight!)));
  process.exit(0);
}

const seconds = Number(values.seconds);
if (!(seconds > 0)) {
  console.error('--seconds must be a positive number, e.g. --seconds 2');
  process.exit(2);
}
const rows: string[] = [];
for (const size of [3, 5]) {
  for (const inflight of [1, 64]) {
    run(size, inflight, { seconds: 0.5 }); // warm up
    const r = run(size, inflight, { seconds });
    const child = spawnSync(process.execPath,
      ['--expose-gc', '--max-semi-space-size=512', import.meta.filename, '--alloc-child', `${size},${inflight}`],
      { encoding: 'utf8' });
    const bytes = JSON.parse(child.stdout || 'null') as number | null;
    const perSec = Math.round(r.entries / r.seconds);
    const row = `| ${size} | ${inflight} | ${perSec.toLocaleString('en-US')} | ${bytes === null ? 'n/a (gc ran)' : Math.round(bytes).toLocaleString('en-US')} |`;
    console.log(row);
    rows.push(row);
  }
}
const report = [
  '# bench:core',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`,
  '',
  `In-process cluster, in-memory transport, no storage, ${ENTRY_BYTES}-byte entries, compaction every ${COMPACT_EVERY.toLocaleString('en-US')} entries, ${seconds} s per row.`,
  '',
  '| nodes | in flight | committed entries/s | heap bytes allocated per entry |',
  '| ---: | ---: | ---: | ---: |',
  ...rows,
  '',
].join('\n');
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/core.md', import.meta.url), report);
console.log('\nwritten to bench/results/core.md');

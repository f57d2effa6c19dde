// bench:cipher — throughput of the private network cipher, core/net/xsalsa20.ts
// (@noble/ciphers' xsalsa20 kept as a stream), and of the `xsalsa20` package
// that @libp2p/pnet uses, in MB (10^6 bytes) per CPU second, for chunks from
// 128 B to 1 MiB, some starting one byte past a 4-byte boundary (socket buffers
// may start anywhere). --also adds another module exporting an XSalsa20 class
// of the same shape, e.g. an older version from git:
//
//   git show <commit>:core/net/xsalsa20.ts > bench/old-xsalsa20.ts
//   npm run bench:cipher -- --also bench/old-xsalsa20.ts [--seconds 1] [--rounds 5]
//
// (inside the repository, so that the module finds its imports). Writes
// bench/results/cipher.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { XSalsa20 } from '../core/net/xsalsa20.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' }, rounds: { type: 'string', default: '5' },
    also: { type: 'string', multiple: true, default: [] },
  },
});

interface Cipher { update(input: Uint8Array): Uint8Array }
interface Candidate { name: string; make: (nonce: Uint8Array, key: Uint8Array) => Cipher }

const require = createRequire(import.meta.url);
const reference = require('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => Cipher;

const candidates: Candidate[] = [
  { name: 'core/net/xsalsa20.ts (@noble/ciphers 2.4)', make: (n, k) => new XSalsa20(n, k) },
  { name: '`xsalsa20` 1.2 (WebAssembly; @libp2p/pnet\'s)', make: (n, k) => reference(n, k) },
];
for (const file of values.also) {
  const mod = await import(pathToFileURL(resolve(file)).href) as { XSalsa20: new (n: Uint8Array, k: Uint8Array) => Cipher };
  candidates.push({ name: basename(file), make: (n, k) => new mod.XSalsa20(n, k) });
}

/** The cases: chunk sizes, and whether the chunk starts one byte past a 4-byte boundary. */
const SHAPES = [
  { label: '128 B', bytes: 128, offset: 0 },
  { label: '1 KiB', bytes: 1024, offset: 0 },
  { label: '1 KiB +1', bytes: 1024, offset: 1 },
  { label: '64 KiB', bytes: 64 * 1024, offset: 0 },
  { label: '1 MiB', bytes: 1024 * 1024, offset: 0 },
  { label: '1 MiB +1', bytes: 1024 * 1024, offset: 1 },
];
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

/** cpuMs is the CPU time this process has used, in ms: other load on the machine does not count, as wall time would. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** throughput runs `cipher` on chunks of `bytes` bytes at byte offset `offset` for `ms` of CPU time and returns MB per CPU second. */
function throughput(cipher: Cipher, bytes: number, offset: number, ms: number): number {
  const chunk = new Uint8Array(new ArrayBuffer(bytes + offset), offset, bytes);
  const batch = Math.max(1, Math.floor((1 << 20) / bytes)); // chunks between two looks at the clock
  let done = 0;
  const start = cpuMs();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) cipher.update(chunk);
    done += batch * bytes;
    now = cpuMs();
  }
  return done / 1e6 / ((now - start) / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Candidates take turns, round after round, so that a change of load on the machine hits them alike.
const cases = candidates.flatMap((c) => SHAPES.map((shape) => ({
  c, shape, cipher: c.make(new Uint8Array(24).fill(3), new Uint8Array(32).fill(5)), results: [] as number[],
})));
for (const k of cases) throughput(k.cipher, k.shape.bytes, k.shape.offset, 500); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const k of cases) k.results.push(throughput(k.cipher, k.shape.bytes, k.shape.offset, seconds * 1000));
}
const rows: string[] = [];
for (const c of candidates) {
  const mine = cases.filter((k) => k.c === c);
  for (const k of mine) {
    console.log(`${c.name}  ${k.shape.label}: median ${median(k.results).toFixed(1)} MB/s (${k.results.map((x) => x.toFixed(0)).join(', ')})`);
  }
  rows.push(`| ${c.name} | ${mine.map((k) => median(k.results).toFixed(0)).join(' | ')} |`);
}

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const report = [
  '# bench:cipher',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpu} × ${os.cpus().length}`,
  '',
  `One direction of the private network cipher, one instance per case, chunks XORed back to back: after 0.5 s of warm-up,`,
  `${rounds} rounds of ${seconds} s of CPU time each, the cases taking turns; the median, in MB of input (10^6 bytes)`,
  'per second of CPU time (process.cpuUsage), so that other load on the machine counts less than it would in wall time.',
  '"+1": the chunk starts one byte past a 4-byte boundary.',
  '',
  `| cipher | ${SHAPES.map((x) => x.label).join(' | ')} |`,
  `| --- | ${SHAPES.map(() => '---:').join(' | ')} |`,
  ...rows,
  '',
].join('\n');
const out = fileURLToPath(new URL('./results/cipher.md', import.meta.url));
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(out, report);
console.log(`\nwrote ${out}`);

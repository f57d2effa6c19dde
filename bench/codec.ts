// bench:codec — the raft wire codec alone, in one process: encodeFramePrefixed
// and decodeFrame (with all of its validation) of the frames a busy leader and
// its followers exchange. Prints operations per second and MB/s of encoded
// frames for each, and writes bench/results/codec.md.
//
//   npm run bench:codec [-- --seconds 1]
//
// Each row runs for the given time after a warm-up of a quarter of it; the best
// of three rounds is kept, to damp the noise of a shared machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Entry } from '../core/raft/index.ts';
import { decodeFrame, encodeFrame, encodeFramePrefixed } from '../core/net/index.ts';
import type { Frame } from '../core/net/index.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);
const address = { from: '12D3KooWBC9ypyE7tRUsDL78g2dv2x1SyE3Ee9m3ozds3bjLqCMA', to: '12D3KooWQ8t9ARbhrHUzXGaydJm1HT8MijKCmNqBXpqd4kqdtxVZ' };

function appendEntries(n: number, bytes: number): Frame {
  const data = new Uint8Array(bytes).fill(42);
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) entries.push({ index: 100_001 + i, term: 7, kind: 'command', data });
  return { type: 'AppendEntries', ...address, term: 7, prevLogIndex: 100_000, prevLogTerm: 7, leaderCommit: 99_990, entries, quiesce: false };
}

const cases: [string, Frame][] = [
  ['heartbeat (AppendEntries, no entries)', appendEntries(0, 0)],
  ['AppendEntries 64 × 100 B', appendEntries(64, 100)],
  ['AppendEntries 1 × 4 KiB', appendEntries(1, 4096)],
  ['AppendEntriesResponse', { type: 'AppendEntriesResponse', ...address, term: 7, success: true, matchIndex: 100_064, hintIndex: 0 }],
  ['RequestVote', { type: 'RequestVote', ...address, term: 8, lastLogIndex: 100_064, lastLogTerm: 7, preVote: true, transfer: false }],
  ['ForwardProposalResult', { type: 'ForwardProposalResult', ...address, requestId: 'r-1234567', ok: false, reason: 'not-leader', leaderId: address.to }],
  ['InstallSnapshot 1 MiB, 5 members', {
    type: 'InstallSnapshot', ...address, term: 7,
    snapshot: { index: 100_000, term: 7, membership: { voters: [address.from, address.to, 'c', 'd', 'e'], learners: [] }, data: new Uint8Array(1 << 20) },
  }],
];

/** rate runs `fn` for `ms` milliseconds and returns calls per second. */
function rate(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

function best(fn: () => void): number {
  rate(fn, seconds * 250);
  return Math.max(rate(fn, seconds * 1000), rate(fn, seconds * 1000), rate(fn, seconds * 1000));
}

let sink = 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[] = [];
for (const [name, frame] of cases) {
  const encoded = encodeFrame(frame);
  const size = encodeFramePrefixed(frame).byteLength;
  const enc = best(() => { sink += encodeFramePrefixed(frame).byteLength; });
  const dec = best(() => { sink += decodeFrame(encoded, address).type.length; });
  rows.push(`| ${name} | ${fmt(size)} | ${fmt(enc)} | ${(enc * size / 1e6).toFixed(0)} | ${fmt(dec)} | ${(dec * size / 1e6).toFixed(0)} |`);
  console.log(rows.at(-1));
}
if (sink === 0) console.log('');

const report = [
  '# bench:codec',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model.trim()} × ${os.cpus().length}`,
  '',
  `The raft wire codec in one process: encodeFramePrefixed, and decodeFrame with its validation; best of 3 rounds of ${seconds} s.`,
  '',
  '| frame | bytes | encodes/s | encode MB/s | decodes/s | decode MB/s |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
].join('\n');
console.log(report);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/codec.md', import.meta.url), report);

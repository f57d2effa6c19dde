// bench:notes — the notes state machine alone: apply rate (decode + apply of
// `add` commands), then snapshot and restore of a 100,000-note document, with
// their time and the heap they take. Writes bench/results/notes.md.
//
//   npm run bench:notes
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { decodeCommand, encodeCommand, NotesDocument } from '../core/notes/index.ts';

const NOTES = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with --expose-gc (npm run bench:notes does)');
  process.exit(2);
}
/** heapMB is the JavaScript heap plus array buffers (where snapshot bytes live), after a full GC. */
const heapMB = () => {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
};

// 100-byte texts from 50 clients, as entries carry them. The heap is measured
// before they exist and after they are dropped, so only the document counts.
const base = heapMB();
let entries: Uint8Array[] | null = Array.from({ length: NOTES }, (_, i) => encodeCommand({
  client: `client-${i % 50}`, seq: Math.floor(i / 50) + 1, author: `Author ${i % 50}`, at: 1_764_500_000_000 + i, op: 'add',
  text: `note ${i} `.padEnd(100, 'x'),
}));

let doc = new NotesDocument();
let t0 = performance.now();
for (let i = 0; i < NOTES; i++) doc.apply(i + 1, decodeCommand(entries[i]!));
const applySeconds = (performance.now() - t0) / 1000;
entries = null;
const docMB = heapMB() - base;

t0 = performance.now();
const image = doc.snapshot();
const snapshotMs = performance.now() - t0;
const peakAfterSnapshot = heapMB() - base;

const original = doc.list();
doc = new NotesDocument();
heapMB();
t0 = performance.now();
const restored = NotesDocument.restore(image);
const restoreMs = performance.now() - t0;
const restoredMB = heapMB() - base;
const same = JSON.stringify(restored.list()) === JSON.stringify(original);

const rows = [
  `| apply (decode + apply of add commands) | ${Math.round(NOTES / applySeconds).toLocaleString('en-US')} notes/s |`,
  `| heap of a ${NOTES.toLocaleString('en-US')}-note document | ${docMB.toFixed(0)} MB |`,
  `| snapshot of ${NOTES.toLocaleString('en-US')} notes | ${snapshotMs.toFixed(0)} ms, ${(image.byteLength / 1e6).toFixed(1)} MB of data |`,
  `| heap with the document and its snapshot | ${peakAfterSnapshot.toFixed(0)} MB |`,
  `| restore of ${NOTES.toLocaleString('en-US')} notes | ${restoreMs.toFixed(0)} ms (identical: ${same ? 'yes' : 'NO'}) |`,
  `| heap of the restored document and the snapshot bytes | ${restoredMB.toFixed(0)} MB |`,
];
const report = [
  '# bench:notes', '',
  `${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`, '',
  '| measure | result |', '| --- | ---: |', ...rows, '',
].join('\n');
console.log(report);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
// The sections written by hand after this report's table (## …, such as the cluster's memory at 200,000 notes) stay.
const out = new URL('./results/notes.md', import.meta.url);
let kept = '';
try {
  const old = readFileSync(out, 'utf8');
  const at = old.indexOf('\n## ');
  if (at !== -1) kept = old.slice(at + 1);
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
writeFileSync(out, kept === '' ? report : `${report}\n${kept}`);
if (!same) process.exit(1);

// bench:net — Raft AppendEntries between two peers on 127.0.0.1 over the real
// stack (TCP, private network, Noise, Yamux, the raft transport): frames of 64
// entries of 100 bytes each, sent as a leader with a full pipeline would (the
// sender keeps about 2 MiB queued), for a few seconds. Prints frames/s, entries/s
// and MB/s received, and writes bench/results/net.md.
//
//   npm run bench:net [-- --seconds 5] [-- --same-process]
//
// By default the receiver runs in a child process, as on two devices; with
// --same-process both peers share one event loop (and the numbers halve).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Entry, Message } from '../core/raft/index.ts';
import { createNotebook, createPeer, encodeFramePrefixed, formatNotebookFile, parseNotebookFile } from '../core/net/index.ts';
import type { Peer } from '../core/net/index.ts';

const ENTRIES = 64;
const ENTRY_BYTES = 100;
const QUEUE_TARGET = 2 * 1024 * 1024;

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, 'same-process': { type: 'boolean', default: false }, receiver: { type: 'boolean', default: false } },
});

interface Counts { frames: number; entries: number; dataBytes: number }

/** receive counts the AppendEntries a peer gets. */
function receive(peer: Peer): Counts {
  const counts: Counts = { frames: 0, entries: 0, dataBytes: 0 };
  peer.raft.setHandler((_from, frame) => {
    if (frame.type !== 'AppendEntries') return;
    counts.frames++;
    counts.entries += frame.entries.length;
    for (const e of frame.entries) counts.dataBytes += e.data.byteLength;
  });
  return counts;
}

async function startPeer(notebook = parseNotebookFile(process.env.RN_NOTEBOOK ?? '', 'RN_NOTEBOOK')): Promise<Peer> {
  return createPeer({ privateKey: await generateKeyPair('Ed25519'), notebook, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false });
}

if (values.receiver) {
  // Child: report counts on stdout every 100 ms until told to stop.
  const peer = await startPeer();
  const counts = receive(peer);
  process.stdout.write(`${JSON.stringify({ peerId: peer.peerId, addrs: peer.addrs() })}\n`);
  const timer = setInterval(() => process.stdout.write(`${JSON.stringify(counts)}\n`), 100);
  process.once('SIGTERM', () => { clearInterval(timer); void peer.stop().finally(() => process.exit(0)); });
} else {
  const seconds = Number(values.seconds);
  const notebook = createNotebook('bench');
  const sender = await startPeer(notebook);
  let target: { peerId: string; addrs: string[] };
  let latest: () => Counts;
  let cleanup: () => Promise<void>;
  if (values['same-process']) {
    const receiver = await startPeer(notebook);
    const counts = receive(receiver);
    target = { peerId: receiver.peerId, addrs: receiver.addrs() };
    latest = () => ({ ...counts });
    cleanup = async () => receiver.stop();
  } else {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--receiver'], {
      env: { ...process.env, RN_NOTEBOOK: formatNotebookFile(notebook) }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const [first] = await once(lines, 'line') as [string];
    target = JSON.parse(first) as { peerId: string; addrs: string[] };
    let last: Counts = { frames: 0, entries: 0, dataBytes: 0 };
    lines.on('line', (l) => { last = JSON.parse(l) as Counts; });
    latest = () => last;
    cleanup = async () => { child.kill('SIGTERM'); await once(child, 'exit'); };
  }

  const data = new Uint8Array(ENTRY_BYTES).fill(42);
  let next = 1;
  const frame = (): Message => {
    const entries: Entry[] = [];
    for (let i = 0; i < ENTRIES; i++) entries.push({ index: next + i, term: 1, kind: 'command', data });
    const m: Message = { type: 'AppendEntries', from: sender.peerId, to: target.peerId, term: 1, prevLogIndex: next - 1, prevLogTerm: next === 1 ? 0 : 1, entries, leaderCommit: next - 1, quiesce: false };
    next += ENTRIES;
    return m;
  };
  const wireBytes = encodeFramePrefixed(frame()).byteLength;
  next = 1;

  sender.raft.addPeer(target.peerId, target.addrs);
  while (!sender.raft.isReachable(target.peerId)) await new Promise((r) => setTimeout(r, 10));

  let running = true;
  const pump = (): void => {
    if (!running) return;
    const link = sender.raft.stats().peers[target.peerId];
    if (link !== undefined && link.queuedBytes < QUEUE_TARGET) {
      const batch: Message[] = [];
      for (let i = 0; i < 32; i++) batch.push(frame());
      sender.raft.send(batch);
    }
    setImmediate(pump);
  };
  // Warm up for 1 s, then measure.
  pump();
  await new Promise((r) => setTimeout(r, 1000));
  const start = latest();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const end = latest();
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  running = false;
  const stats = sender.raft.stats();
  await sender.stop();
  await cleanup();

  const frames = (end.frames - start.frames) / elapsed;
  const entries = (end.entries - start.entries) / elapsed;
  const mb = (end.dataBytes - start.dataBytes) / elapsed / 1e6;
  const wire = (frames * wireBytes) / 1e6;
  const senderCpu = (cpu.user + cpu.system) / 1e6 / elapsed;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const mode = values['same-process'] ? 'one process' : 'two processes';
  const report = [
    '# bench:net',
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model.trim()} × ${os.cpus().length}`,
    '',
    `Two peers on 127.0.0.1 (${mode}): TCP, private network (XSalsa20), Noise, Yamux, the raft transport.`,
    `AppendEntries of ${ENTRIES} × ${ENTRY_BYTES}-byte entries (${wireBytes} bytes on the wire per frame), ${seconds} s after 1 s of warm-up.`,
    '',
    '| frames/s | entries/s | entry MB/s | frame MB/s | sender CPU | writes | dropped |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${fmt(frames)} | ${fmt(entries)} | ${mb.toFixed(1)} | ${wire.toFixed(1)} | ${(senderCpu * 100).toFixed(0)}% | ${fmt(stats.writes)} | ${stats.droppedFrames} |`,
    '',
  ].join('\n');
  console.log(report);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/net${values['same-process'] ? '-same-process' : ''}.md`, import.meta.url), report);
}

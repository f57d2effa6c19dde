import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../raft/types.ts';
import { DiskStorage } from './disk-storage.ts';
import { LogState } from './log-state.ts';
import { plain } from './testing/storage-compliance.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';
import { mulberry32, workloadBatch } from './testing/workload.ts';

const WRITER = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));
const TORN_WRITER = fileURLToPath(new URL('./testing/torn-writer.ts', import.meta.url));
const KILLS = 50;
const SEGMENT_BYTES = 16 << 10; // small, so kills land in segment rollovers too

/** Writer is one run of crash-writer.ts: the batch numbers it reported durable, and its exit. */
interface Writer {
  child: ChildProcess;
  /** Resolves when the writer has persisted its first batch. */
  working: Promise<void>;
  exited: Promise<void>;
  reported: number[];
}

function startWriter(dir: string, seed: number, first: number): Writer {
  const child = spawn(process.execPath, ['--no-warnings', WRITER, dir, String(seed), String(first), String(SEGMENT_BYTES)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reported: number[] = [];
  let stderr = '';
  let pending = '';
  let onWorking: () => void = () => {};
  const working = new Promise<void>((resolve) => (onWorking = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') continue;
      reported.push(Number(line));
      onWorking();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve, reject) =>
    child.on('close', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`crash-writer exited (${code ?? signal}) before the kill: ${stderr}`)),
    ),
  );
  exited.catch(() => undefined);
  return { child, working, exited, reported };
}

function copyOf(s: LogState<Snapshot>): LogState<Snapshot> {
  const c = new LogState<Snapshot>();
  c.hardState = { ...s.hardState };
  c.snapshot = s.snapshot;
  c.entries = s.entries.slice();
  c.base = s.base;
  return c;
}

function stateOf(s: LogState<Snapshot>): unknown {
  return plain({ hardState: s.hardState, entries: s.entries, ...(s.snapshot === null ? {} : { snapshot: s.snapshot }) });
}

describe('Crash safety', () => {
  let root = '';
  let writer: Writer | null = null;
  afterEach(() => {
    writer?.child.kill('SIGKILL');
    removeDir(root);
  });

  it(`finds every batch reported durable after ${KILLS} SIGKILLs at random moments, and nothing corrupt`, async () => {
    root = makeTempDir();
    const dir = path.join(root, 'raft');
    const seed = 20_251_130;
    const random = mulberry32(seed);
    const model = new LogState<Snapshot>(); // the state after batches [0, next)
    let next = 0;
    let torn = 0;
    let inFlightFound = 0;
    for (let run = 0; run < KILLS; run++) {
      writer = startWriter(dir, seed, next);
      // Most kills land while batches stream; some during start-up and recovery.
      if (run % 5 !== 4) await Promise.race([writer.working, writer.exited]);
      await new Promise((resolve) => setTimeout(resolve, random() * 60));
      writer.child.kill('SIGKILL');
      await writer.exited;
      const reported = writer.reported;
      writer = null;

      // Every reported batch must be there; the one in flight may or may not be.
      const durable = reported.length === 0 ? next : reported[reported.length - 1] + 1;
      for (let i = 0; i < reported.length; i++) expect(reported[i]).toBe(next + i);
      while (next < durable) model.apply(workloadBatch(seed, next++, model));
      const inFlight = copyOf(model);
      inFlight.apply(workloadBatch(seed, next, inFlight));

      const warnings: string[] = [];
      const storage = await DiskStorage.open(dir, { segmentBytes: SEGMENT_BYTES, onWarning: (m) => warnings.push(m) });
      const found = plain(await storage.load());
      await storage.close();
      torn += warnings.length;
      if (JSON.stringify(found) === JSON.stringify(stateOf(inFlight))) {
        model.apply(workloadBatch(seed, next++, model));
        inFlightFound++;
      } else {
        expect(found, `after kill ${run + 1}, batches 0..${durable - 1} reported durable`).toEqual(stateOf(model));
      }
    }
    // Four runs in five wait for a first durable batch before the kill, so the model was checked well past the start.
    expect(next).toBeGreaterThanOrEqual((KILLS * 4) / 5);
    console.info(
      `crash test: ${KILLS} kills, ${next} batches; the unreported batch in flight was durable after ${inFlightFound} kills; ${torn} torn tails cut off`,
    );
  }, 110_000);

  it('recovers from SIGKILLs around the write of a 16 MiB batch, cutting off what was torn', async () => {
    const segmentBytes = 24 << 20;
    const attempt = async (killAfterMs: number | null) => {
      root = makeTempDir();
      const dir = path.join(root, 'raft');
      const child = spawn(process.execPath, ['--no-warnings', TORN_WRITER, dir, String(segmentBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
      writer = { child, working: Promise.resolve(), exited: Promise.resolve(), reported: [] };
      let out = '';
      const closed = new Promise((resolve) => child.on('close', resolve));
      const started = await new Promise<number>((resolve) =>
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('go') && !out.includes('saved')) resolve(performance.now());
          if (killAfterMs === null && out.includes('saved')) child.kill('SIGKILL');
        }),
      );
      if (killAfterMs !== null) {
        await new Promise((resolve) => setTimeout(resolve, killAfterMs));
        child.kill('SIGKILL');
      }
      await closed;
      const took = performance.now() - started;
      const warnings: string[] = [];
      const storage = await DiskStorage.open(dir, { segmentBytes, onWarning: (m) => warnings.push(m) });
      const { entries } = await storage.load();
      await storage.close();
      removeDir(root);
      writer = null;
      // The batch is all there or not at all; a tear is cut off with a warning.
      expect([1, 5]).toContain(entries.length);
      if (entries.length === 5) expect(entries.every((e, i) => i === 0 || e.data.every((b) => b === i))).toBe(true);
      return { took, torn: warnings.length, written: entries.length === 5, saved: out.includes('saved') };
    };
    const full = await attempt(null); // how long the big save takes here
    expect(full.saved).toBe(true);
    // The write() lies somewhere between the encoding and the fdatasync: bisect the kill time
    // between "nothing written" and "all written", which homes in on it.
    let torn = 0;
    let [early, late] = [0, full.took];
    for (let i = 0; i < 10; i++) {
      const at = (early + late) / 2;
      const r = await attempt(at);
      torn += r.torn;
      if (r.torn === 0 && r.written) late = at;
      else if (r.torn === 0) early = at;
    }
    console.info(`torn-write test: a 16 MiB save took ${Math.round(full.took)} ms; 10 kills around its write() left ${torn} torn tails, all cut off`);
  }, 60_000);
});

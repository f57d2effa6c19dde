import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crc32c } from './crc32c.ts';
import { DiskStorage } from './disk-storage.ts';
import { StorageCorruptError, StorageReadError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';
import { scanSegment } from './segment-scan.ts';
import { listDir, segmentName, snapshotName } from './storage-dir.ts';
import type { StorageBatch } from './storage.ts';
import { batch, entry, plain, snapshot } from './testing/storage-compliance.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';
import { RecordType } from './wal-format.ts';

const SEGMENT_BYTES = 16 << 10;

/** workload returns `n` batches of three entries (`bytes` each) and a hard state, with a snapshot at batch 10 when asked. */
function workload(n: number, bytes = 60, withSnapshot = false): StorageBatch[] {
  const out: StorageBatch[] = [];
  for (let b = 0; b < n; b++) {
    const es = [1, 2, 3].map((k) => entry(b * 3 + k, 1, `${b * 3 + k}:`.padEnd(bytes, 'x')));
    out.push(batch({ entries: es, hardState: { term: 1, votedFor: 'p1', commitIndex: b * 3 } }));
    if (withSnapshot && b === 10) out.push(batch({ snapshot: snapshot(20, 1, 3000) }));
  }
  return out;
}

/** expected returns what a storage holds after `batches`. */
async function expected(batches: StorageBatch[]): Promise<unknown> {
  const m = new MemoryStorage();
  for (const b of batches) await m.save(b);
  return plain(await m.load());
}

/** records lists the intact records of a segment file with their offsets. */
function records(file: string): { type: number; offset: number; end: number }[] {
  const out: { type: number; offset: number; end: number }[] = [];
  scanSegment(fs.readFileSync(file), (type, payload, length, offset) => out.push({ type, offset, end: payload + length }));
  return out;
}

function patch(file: string, offset: number, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

function flipByte(file: string, offset: number): void {
  const b = fs.readFileSync(file);
  patch(file, offset, Uint8Array.of(b[offset] ^ 0x5a));
}

describe('Recovery', () => {
  let root: string;
  let dir: string;
  let warnings: string[];
  const opened: DiskStorage[] = [];
  const open = async () => {
    const s = await DiskStorage.open(dir, { segmentBytes: SEGMENT_BYTES, onWarning: (m) => warnings.push(m) });
    opened.push(s);
    return s;
  };
  const build = async (batches: StorageBatch[]) => {
    root = makeTempDir();
    dir = path.join(root, 'raft');
    warnings = [];
    const s = await open();
    for (const b of batches) await s.save(b);
    await s.close();
  };
  const lastSegment = () => {
    const segs = listDir(dir).segments;
    return path.join(dir, segs[segs.length - 1].name);
  };
  const refusal = async (): Promise<StorageCorruptError> => {
    const err = await open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageCorruptError);
    const e = err as StorageCorruptError;
    expect(e.message).toContain(e.file);
    expect(e.message).toContain(`offset ${e.offset}`);
    expect(e.message).toContain(`move ${dir} aside`);
    return e;
  };
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    removeDir(root);
  });

  it('refuses a segment cut short inside a record: a crash cannot shorten a preallocated segment', async () => {
    await build(workload(20));
    const file = lastSegment();
    const commits = records(file).filter((r) => r.type === RecordType.commit);
    const victim = commits[commits.length - 6];
    fs.truncateSync(file, victim.end - 10);
    const err = await refusal();
    expect(err.file).toBe(file);
    expect(err.offset).toBe(victim.offset);
    expect(err.message).toContain('cut short (truncated)');
  });

  it('refuses a segment cut short at a record boundary', async () => {
    await build(workload(20));
    const file = lastSegment();
    const commits = records(file).filter((r) => r.type === RecordType.commit);
    fs.truncateSync(file, commits[commits.length - 6].end);
    const err = await refusal();
    expect(err.file).toBe(file);
    expect(err.message).toContain('cut short (truncated)');
  });

  it('keeps room for the seal record after a batch larger than a segment', async () => {
    const big = [1, 2].map((k) => entry(k, 1, 'x'.repeat(SEGMENT_BYTES)));
    const batches = [batch({ entries: big, hardState: { term: 1, votedFor: 'p1', commitIndex: 0 } })];
    await build(batches);
    const s = await open();
    expect(warnings).toEqual([]);
    expect(plain(await s.load())).toEqual(await expected(batches));
    const more = batch({ entries: [entry(3, 1)], hardState: { term: 1, votedFor: 'p1', commitIndex: 2 } });
    await s.save(more);
    await s.close();
    expect(plain(await (await open()).load())).toEqual(await expected([...batches, more]));
  });

  it('cuts off a batch that holds zeros from a sector boundary on', async () => {
    const batches = workload(12, 700);
    await build(batches);
    const file = lastSegment();
    const rs = records(file);
    const lastCommit = rs.filter((r) => r.type === RecordType.commit).at(-1)!;
    const batchStart = rs.filter((r) => r.type === RecordType.commit).at(-2)!.end;
    const sector = Math.ceil((batchStart + 100) / 512) * 512;
    expect(sector).toBeLessThan(lastCommit.end);
    patch(file, sector, new Uint8Array(lastCommit.end - sector));
    let s = await open();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain('cut short by a crash');
    expect(warnings[0]).toContain(`from offset ${batchStart}`);
    expect(plain(await s.load())).toEqual(await expected(batches.slice(0, -1)));
    // Writing goes on where the torn batch began; the next open finds nothing to cut.
    const more = batch({ entries: [entry(34, 2)], hardState: { term: 2, votedFor: null, commitIndex: 33 } });
    await s.save(more);
    await s.close();
    warnings = [];
    s = await open();
    expect(warnings).toEqual([]);
    expect(plain(await s.load())).toEqual(await expected([...batches.slice(0, -1), more]));
  });

  it('drops a batch whose commit record never reached the disk', async () => {
    const batches = workload(5);
    await build(batches);
    const file = lastSegment();
    const lastCommit = records(file).at(-1)!;
    patch(file, lastCommit.offset, new Uint8Array(lastCommit.end - lastCommit.offset));
    const s = await open();
    expect(warnings[0]).toContain('commit record is missing');
    expect(plain(await s.load())).toEqual(await expected(batches.slice(0, -1)));
  });

  it('refuses a flipped byte in the middle of the newest segment', async () => {
    await build(workload(20));
    const file = lastSegment();
    const victim = records(file).filter((r) => r.type === RecordType.entry)[4];
    flipByte(file, victim.offset + 30);
    const err = await refusal();
    expect(err.file).toBe(file);
    expect(err.offset).toBe(victim.offset);
    expect(err.message).toContain('checksum mismatch');
  });

  it('refuses a flipped byte in an older segment, and a flipped length', async () => {
    await build(workload(200));
    const first = path.join(dir, segmentName(1));
    expect(listDir(dir).segments.length).toBeGreaterThan(2);
    const victim = records(first).filter((r) => r.type === RecordType.entry)[10];
    flipByte(first, victim.offset + 1); // inside the length field
    const err = await refusal();
    expect(err.file).toBe(first);
    expect(err.offset).toBe(victim.offset);
    expect(err.message).toContain('record header checksum mismatch');
  });

  it('refuses damage to the newest batch that is not the shape of a torn write', async () => {
    await build(workload(6));
    const file = lastSegment();
    const lastEntry = records(file).filter((r) => r.type === RecordType.entry).at(-1)!;
    flipByte(file, lastEntry.end - 3);
    const err = await refusal();
    expect(err.offset).toBe(lastEntry.offset);
  });

  it('refuses a zeroed record header that is followed by data', async () => {
    await build(workload(10));
    const file = lastSegment();
    const victim = records(file).filter((r) => r.type === RecordType.entry)[3];
    patch(file, victim.offset, new Uint8Array(16));
    const err = await refusal();
    expect(err.offset).toBe(victim.offset);
    expect(err.message).toContain('zeroed record header');
  });

  it('refuses when a segment in the middle is missing', async () => {
    await build(workload(200));
    expect(listDir(dir).segments.length).toBeGreaterThan(3);
    fs.rmSync(path.join(dir, segmentName(2)));
    const err = await refusal();
    expect(err.file).toBe(path.join(dir, segmentName(2)));
    expect(err.message).toContain('this segment is missing');
  });

  it('refuses when the newest segment is missing', async () => {
    await build(workload(200));
    const segs = listDir(dir).segments;
    fs.rmSync(path.join(dir, segs[segs.length - 1].name));
    const err = await refusal();
    expect(err.file).toBe(path.join(dir, segs[segs.length - 1].name));
  });

  it('refuses when the oldest segment is missing and no snapshot covers it', async () => {
    await build(workload(200));
    fs.rmSync(path.join(dir, segmentName(1)));
    const err = await refusal();
    expect(err.file).toBe(path.join(dir, segmentName(1)));
    expect(err.message).toMatch(/entries 1 to \d+ are in no segment left/);
  });

  it('refuses when every segment is missing', async () => {
    await build(workload(3));
    for (const s of listDir(dir).segments) fs.rmSync(path.join(dir, s.name));
    const err = await refusal();
    expect(err.message).toContain('no log segment');
  });

  it('refuses a snapshot file that is damaged, replaced or missing', async () => {
    const batches = workload(15, 60, true);
    await build(batches);
    const file = path.join(dir, snapshotName(20, 1));
    const good = fs.readFileSync(file);
    flipByte(file, good.length - 10);
    expect((await refusal()).file).toBe(file);

    fs.writeFileSync(file, good);
    const s = await open(); // intact again
    expect(plain(await s.load())).toEqual(await expected(batches));
    await s.close();

    const other = await DiskStorage.open(path.join(root, 'other'));
    await other.save(batch({ snapshot: { ...snapshot(20, 1, 3000), membership: { voters: ['x'], learners: [] } } }));
    await other.close();
    fs.copyFileSync(path.join(root, 'other', snapshotName(20, 1)), file);
    const replaced = await refusal();
    expect(replaced.message).toContain('does not match');

    fs.rmSync(file);
    expect((await refusal()).message).toContain('snapshot file is missing');
  });

  it('refuses a segment it cannot read, naming the file, and opens it once it can', async () => {
    const batches = workload(5);
    await build(batches);
    const file = lastSegment();
    const read = fs.readFileSync;
    const spy = vi.spyOn(fs, 'readFileSync').mockImplementation(((p: fs.PathOrFileDescriptor, o?: unknown) => {
      if (p === file) throw Object.assign(new Error(`EIO: i/o error, open '${file}'`), { code: 'EIO' });
      return read(p, o as never);
    }) as typeof fs.readFileSync);
    try {
      const err = await open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageReadError);
      expect((err as StorageReadError).file).toBe(file);
      expect((err as Error).message).toBe(
        `Cannot read ${file} (EIO): this peer will not start without it. Give the user that runs the peer read and write ` +
          `access to ${dir} and the files in it (or, if that is not the cause, check the disk), then start the peer again.`,
      );
    } finally {
      spy.mockRestore();
    }
    expect(plain(await (await open()).load())).toEqual(await expected(batches)); // the lock was given back
  });

  it('refuses a segment written by a newer format version', async () => {
    await build(workload(2));
    const file = path.join(dir, segmentName(1));
    const buf = fs.readFileSync(file);
    const length = buf.readUInt32LE(0);
    buf.writeUInt32LE(2, 16 + 8); // the version field of the segment record
    buf.writeUInt32LE(crc32c(buf, 16, 16 + length), 8);
    buf.writeUInt32LE(crc32c(buf, 0, 12), 12);
    fs.writeFileSync(file, buf);
    expect((await refusal()).message).toContain('newer version of Raftnotes');
  });
});

// A real peer whose log segment was damaged while it was stopped: a record
// corrupted, the file cut short, or made unreadable. It must refuse to start,
// saying which file and what to do, and never serve a log that lost notes it
// acknowledged.
import { chmodSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanSegment } from '../../core/storage/segment-scan.ts';
import { segmentName } from '../../core/storage/storage-dir.ts';
import { RecordType } from '../../core/storage/wal-format.ts';
import { LOCAL, texts } from '../cluster/cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir } from '../cluster/peer-process.ts';

const NOTES = 30;

let peer: PeerProcess;
let raftDir: string;
let segment: string;

beforeEach(async () => {
  const dataDir = await tempDir();
  raftDir = join(dataDir, 'raft');
  segment = join(raftDir, segmentName(1));
  peer = new PeerProcess(dataDir, 'A');
  await peer.start(['--create', 'Damaged', ...LOCAL]);
  for (let i = 0; i < NOTES; i++) expect((await peer.api('POST', '/api/notes', { text: `note ${i}` })).status).toBe(201);
  expect(await peer.stop()).toBe(0);
});

afterEach(async () => {
  await killAll();
  await removeDirs();
});

/** entryRecords lists the offsets and ends of the entry records of the segment file. */
function entryRecords(): Array<{ offset: number; end: number }> {
  const out: Array<{ offset: number; end: number }> = [];
  scanSegment(readFileSync(segment), (type, payload, length, offset) => {
    if (type === RecordType.entry) out.push({ offset, end: payload + length });
  });
  expect(out.length).toBeGreaterThan(NOTES);
  return out;
}

/**
 * WITHOUT_ROOT_READS runs the peer so that file permissions hold for it: root reads any file, so as root it runs
 * without the capabilities that let it (setpriv, util-linux); anyone else as is.
 */
const WITHOUT_ROOT_READS = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--'] : [];

/** refusal starts the peer, expects it to exit with 1 before it is ready, and returns what it printed. */
async function refusal(command: string[] = []): Promise<string> {
  await expect(peer.start(LOCAL, {}, command)).rejects.toThrow(/exited with 1 before it was ready/);
  const log = peer.logs.join('\n');
  expect(log).not.toMatch(/^\s+at /m); // a message, not a stack trace
  return log;
}

describe('DamagedSegment', () => {
  it('refuses to start from a corrupted record, naming the file, the offset and what to do', async () => {
    const victim = entryRecords()[NOTES / 2]!;
    const bytes = readFileSync(segment);
    bytes[victim.end - 2] ^= 0x5a;
    writeFileSync(segment, bytes);
    const log = await refusal();
    expect(log).toContain(`Storage is damaged: ${segment} at offset ${victim.offset}: record checksum mismatch`);
    expect(log).toContain(`To recover: stop this peer, move ${raftDir} aside`);
  });

  it('refuses to start from a segment cut short, instead of dropping the notes it acknowledged', async () => {
    const victim = entryRecords()[NOTES / 2]!;
    truncateSync(segment, victim.offset + 20);
    const log = await refusal();
    expect(log).toContain(`Storage is damaged: ${segment} at offset ${victim.offset}`);
    expect(log).toContain('cut short');
    expect(log).toContain(`To recover: stop this peer, move ${raftDir} aside`);
  });

  it('refuses to start from a segment cut short at a record boundary', async () => {
    const victim = entryRecords()[NOTES / 2]!;
    truncateSync(segment, victim.offset);
    const log = await refusal();
    expect(log).toContain(`Storage is damaged: ${segment}`);
    expect(log).toContain('cut short');
  });

  it('refuses to start from a segment it may not read, naming the file and what to do', async () => {
    chmodSync(segment, 0o000);
    const log = await refusal(WITHOUT_ROOT_READS);
    expect(log).toContain(`Cannot read ${segment} (EACCES): this peer will not start without it.`);
    expect(log).toMatch(/read and write access/);
  });

  it('starts as before once the file is readable again', async () => {
    chmodSync(segment, 0o000);
    await refusal(WITHOUT_ROOT_READS);
    chmodSync(segment, 0o600);
    await peer.start(LOCAL);
    expect(await texts(peer)).toEqual(Array.from({ length: NOTES }, (_, i) => `note ${i}`));
  });
});

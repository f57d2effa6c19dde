// torn-writer saves one small batch, prints "go", then saves one batch of
// 16 MiB and prints "saved", so a SIGKILL between the two may land inside its
// write(). Run by crash.test.ts: node torn-writer.ts <dir> <segment bytes>
// (segments larger than the batch, so it is written into the live segment).

import fs from 'node:fs';
import { DiskStorage } from '../disk-storage.ts';

const [dir, segmentArg] = process.argv.slice(2);
const storage = await DiskStorage.open(dir, { segmentBytes: Number(segmentArg), onWarning: () => {} });
const noop = { index: 1, term: 1, kind: 'noop' as const, data: new Uint8Array(0) };
await storage.save({ hardState: { term: 1, votedFor: 'p1', commitIndex: 0 }, entries: [noop], snapshot: null });
const entries = [];
for (let i = 0; i < 4; i++) entries.push({ index: 2 + i, term: 1, kind: 'command' as const, data: new Uint8Array(4 << 20).fill(i + 1) });
fs.writeSync(1, 'go\n');
await storage.save({ hardState: { term: 1, votedFor: 'p1', commitIndex: 1 }, entries, snapshot: null });
fs.writeSync(1, 'saved\n');
setInterval(() => {}, 1000); // wait for the kill

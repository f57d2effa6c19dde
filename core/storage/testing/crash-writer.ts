// crash-writer persists the workload as fast as it can and prints the number
// of each batch once save() has resolved, until it is killed. Run by
// crash.test.ts: node crash-writer.ts <dir> <seed> <first batch> <segment bytes>

import fs from 'node:fs';
import type { Snapshot } from '../../raft/types.ts';
import { DiskStorage } from '../disk-storage.ts';
import { LogState } from '../log-state.ts';
import { workloadBatch } from './workload.ts';

const [dir, seedArg, firstArg, segmentArg] = process.argv.slice(2);
const seed = Number(seedArg);
const storage = await DiskStorage.open(dir, { segmentBytes: Number(segmentArg), onWarning: () => {} });
const loaded = await storage.load();
const mirror = new LogState<Snapshot>();
mirror.apply({ hardState: loaded.hardState, snapshot: loaded.snapshot ?? null, entries: loaded.entries });
fs.writeSync(1, 'ready\n');
for (let k = Number(firstArg); ; k++) {
  const batch = workloadBatch(seed, k, mirror);
  await storage.save(batch);
  mirror.apply(batch);
  fs.writeSync(1, `${k}\n`); // synchronous, so the parent has every report made before the kill
}

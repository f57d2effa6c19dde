// Memory at size: the members' resident memory after many writes of 100
// bytes, read twice: as the last write is acknowledged, and after a rest in
// which nobody writes (a desktop app after a burst of notes spends most of
// its life so, and both systems give memory back then: Raftnotes once its
// document has been quiet for 2 s, core/service/memory-release.ts).
import { memberMemory, type BenchCluster, type MemberMemory } from './bench-cluster.ts';
import type { Child } from './children.ts';
import { fill, sleep } from './load.ts';

/** REST_MS is the rest after the writes before the second reading. */
export const REST_MS = 5_000;

/** MemoryResult is how the fill went and each member's memory after it, at once and after the rest. */
export interface MemoryResult { writes: number; seconds: number; failed: number; members: MemberMemory[]; rested: MemberMemory[] }

/** memoryAfter writes `writes` 100-byte values to the leader, `inFlight` at a time, then reads every member's memory, at once and after REST_MS. */
export async function memoryAfter<M extends { child: Child | null }>(cluster: BenchCluster<M>, writes: number,
  inFlight: number): Promise<MemoryResult> {
  const leader = await cluster.healthy();
  const { seconds, failed } = await fill(cluster.request(leader), writes, inFlight);
  await cluster.healthy();
  const members = memberMemory(cluster);
  await sleep(REST_MS);
  return { writes, seconds, failed, members, rested: memberMemory(cluster) };
}

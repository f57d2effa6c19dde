// Memory at size: the members' resident memory after many writes of 100 bytes.
import { memberMemory, type BenchCluster, type MemberMemory } from './bench-cluster.ts';
import type { Child } from './children.ts';
import { fill } from './load.ts';

/** MemoryResult is how the fill went and each member's memory after it. */
export interface MemoryResult { writes: number; seconds: number; failed: number; members: MemberMemory[] }

/** memoryAfter writes `writes` 100-byte values to the leader, `inFlight` at a time, then reads every member's memory. */
export async function memoryAfter<M extends { child: Child | null }>(cluster: BenchCluster<M>, writes: number,
  inFlight: number): Promise<MemoryResult> {
  const leader = await cluster.healthy();
  const { seconds, failed } = await fill(cluster.request(leader), writes, inFlight);
  await cluster.healthy();
  return { writes, seconds, failed, members: memberMemory(cluster) };
}

// Idle cost: what a healthy cluster's members spend while nobody writes, after
// a warm-up of writes (so connections, code and caches are as in use).
import type { BenchCluster } from './bench-cluster.ts';
import type { Child } from './children.ts';
import { fill, sleep } from './load.ts';

/** IdleResult is the cores the members used together over the window, and each member's share. */
export interface IdleResult { seconds: number; cores: number; perMember: number[] }

/**
 * idleCores warms the cluster with `warmWrites` writes to the leader, lets it
 * settle `settleMs`, then measures the members' CPU over `measureMs`.
 */
export async function idleCores<M extends { child: Child | null }>(cluster: BenchCluster<M>, warmWrites: number,
  settleMs: number, measureMs: number): Promise<IdleResult> {
  const leader = await cluster.healthy();
  await fill(cluster.request(leader), warmWrites, 4);
  await sleep(settleMs);
  const members = cluster.running();
  const before = members.map((m) => m.child!.cpuSeconds());
  const t0 = performance.now();
  await sleep(measureMs);
  const seconds = (performance.now() - t0) / 1000;
  const perMember = members.map((m, i) => (m.child!.cpuSeconds() - before[i]!) / seconds);
  return { seconds, cores: perMember.reduce((a, b) => a + b, 0), perMember };
}

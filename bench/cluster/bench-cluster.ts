// BenchCluster is what both systems offer the cluster bench: a 3-member
// cluster on 127.0.0.1, started fresh for each phase.
import type { Child } from './children.ts';
import type { Request } from './load.ts';

export interface BenchCluster<M extends { child: Child | null }> {
  start(): Promise<void>;
  /** healthy waits for a leader with every member caught up, and returns it. */
  healthy(): Promise<M>;
  running(): M[];
  restart(member: M): Promise<void>;
  request(member: M): Request;
  cpuSeconds(): number;
  tails(): string;
  stop(): Promise<void>;
}

/** MemberMemory is one member's resident memory, in MiB, now and at its peak. */
export interface MemberMemory { rssMiB: number; peakMiB: number }

/** memberMemory is the memory of every running member, in member order. */
export function memberMemory<M extends { child: Child | null }>(cluster: BenchCluster<M>): MemberMemory[] {
  return cluster.running().map((m) => m.child!.memory() ?? { rssMiB: NaN, peakMiB: NaN });
}

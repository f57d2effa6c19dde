// A test file's LAN of network namespaces: made before its tests (when this
// machine can: root and iproute2; `problem` says why not), and after them every
// peer killed, the namespaces removed and the peers' directories deleted.
import { afterAll, beforeAll } from 'vitest';
import { killAll, removeDirs } from '../cluster/peer-process.ts';
import { Lan, lanProblem, removeLeftovers } from './netns.ts';

/** TestLan is the file's LAN once its tests run, and why there is none (null: there is one). */
export interface TestLan {
  readonly problem: string | null;
  /** The LAN; only inside the file's tests, and only when problem is null. */
  lan(): Lan;
}

/** useLan registers the file's beforeAll and afterAll for a LAN of `hosts` namespaces; `what` names the file in the skip warning. */
export async function useLan(hosts: number, what: string): Promise<TestLan> {
  const problem = await lanProblem();
  if (problem !== null) console.warn(`${what} is skipped: ${problem}.`);
  let lan: Lan | null = null;
  beforeAll(async () => {
    if (problem !== null) return;
    await removeLeftovers();
    lan = await Lan.create(hosts);
  }, 30_000);
  afterAll(async () => {
    try {
      await killAll();
    } finally {
      try {
        await lan?.destroy();
      } finally {
        await removeDirs();
      }
    }
  }, 30_000);
  return {
    problem,
    lan: () => {
      if (lan === null) throw new Error(`no LAN: ${problem ?? 'it was not made'}`);
      return lan;
    },
  };
}

// Clock is the wall clock of a running notebook: the time its notes and log
// lines are stamped with, and the deadlines of its retries. The Raft clock is
// separate (ticks, core/service/raft-driver.ts). Tests pass their own.

/** Clock tells the time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** systemClock is the machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

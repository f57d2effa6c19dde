// The errors a simulation run ends with. Each names the seed and the tick, so a
// failure read in CI can be replayed exactly (`npm run sim -- --seed S`).

/** SimContext is where a simulation stands: the seed it runs and its logical clock. */
export interface SimContext {
  seed: number;
  tick: number;
}

/** SimError is a failed simulation run: a broken invariant, a stalled cluster or a driver contract breach. */
export class SimError extends Error {
  readonly seed: number;
  readonly tick: number;

  constructor(kind: string, context: SimContext, description: string, cause?: unknown) {
    super(`${kind} (seed ${context.seed}, tick ${context.tick}): ${description}`, cause === undefined ? undefined : { cause });
    this.name = 'SimError';
    this.seed = context.seed;
    this.tick = context.tick;
  }
}

/** InvariantError is a broken Raft safety property (Election Safety, Log Matching, ...). */
export class InvariantError extends SimError {
  readonly invariant: string;

  constructor(invariant: string, context: SimContext, description: string) {
    super(`${invariant} violated`, context, description);
    this.name = 'InvariantError';
    this.invariant = invariant;
  }
}

/** LivenessError is a cluster that did not reach a wanted state within its tick budget. */
export class LivenessError extends SimError {
  constructor(context: SimContext, description: string) {
    super('Liveness failed', context, description);
    this.name = 'LivenessError';
  }
}

/** DriverError is a Ready the driver cannot carry out as the contract describes it (a gap in the log, say). */
export class DriverError extends SimError {
  constructor(context: SimContext, description: string) {
    super('Driver contract broken', context, description);
    this.name = 'DriverError';
  }
}

/** CoreError is an exception thrown by the Raft core itself while the simulation drove it. */
export class CoreError extends SimError {
  constructor(context: SimContext, description: string, cause: unknown) {
    super('Core threw', context, description, cause);
    this.name = 'CoreError';
  }
}

/** StorageError is a node's DiskStorage failing to open, save or read back during a simulation run. */
export class StorageError extends SimError {
  constructor(context: SimContext, description: string, cause: unknown) {
    super('Storage failed', context, description, cause);
    this.name = 'StorageError';
  }
}

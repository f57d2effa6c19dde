// What the demo server tells the dashboard of each peer process (GET
// /api/demo/peers, the `process` events). Types only, with no imports, so the
// dashboard page imports them too and both sides share one declaration.

/** DemoNodeState is what the dashboard shows of a node's process. */
export type DemoNodeState = 'starting' | 'running' | 'stopping' | 'stopped';

/** DemoNodeView is one row of GET /api/demo/peers. */
export interface DemoNodeView {
  name: string;
  state: DemoNodeState;
  /** The peer's API, while it runs. */
  api: string | null;
  pid: number | null;
  peerId: string | null;
  port: number;
  dataDir: string;
  /** Why the node last stopped: "stopped", "crashed (SIGKILL)", "exited with 1"… */
  lastExit: string | null;
}

/** DemoLabSettings are what the demo holds for all its peers (GET /api/demo/lab): the Raft clock, the safeguards, the partition. */
export interface DemoLabSettings {
  tickMs: number;
  paused: boolean;
  preVote: boolean;
  checkQuorum: boolean;
  /** The partition: groups of node names, each cut off from the others; [] when healed. */
  groups: string[][];
}

// Parsing `raftnotes demo [--nodes N] [--data DIR] [--port P] [--no-open] [--tick-ms MS]`,
// kept apart from running it so every flag's checks are unit-tested.
import { parseArgs } from 'node:util';
import { parseTickMs, UsageError } from './args.ts';

/** DemoArgs are the checked flags of `raftnotes demo`. */
export interface DemoArgs {
  command: 'demo';
  /** How many peers, 1 to 9; undefined: 5, or as many as the kept cluster in dataDir has. */
  nodes?: number;
  /** Where the cluster is kept across runs; undefined: a fresh temporary directory removed at exit. */
  dataDir?: string;
  /** The dashboard's port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Open the dashboard in the browser (xdg-open). */
  open: boolean;
  /** The peers' Raft clock (serve --tick-ms): 100 plays Raft ten times slower. */
  tickMs: number;
}

/** MAX_DEMO_NODES is the most peers a demo runs (Raft clusters of more than 9 voters make little sense). */
export const MAX_DEMO_NODES = 9;

/** parseDemoArgs checks the flags that follow `raftnotes demo`. */
export function parseDemoArgs(argv: string[]): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        nodes: { type: 'string' },
        data: { type: 'string' },
        port: { type: 'string' },
        'no-open': { type: 'boolean' },
        'tick-ms': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const rawNodes = values['nodes'] as string | undefined;
  const nodes = rawNodes === undefined ? undefined : /^\d+$/.test(rawNodes) ? Number(rawNodes) : NaN;
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_DEMO_NODES)) {
    throw new UsageError(`--nodes must be a whole number from 1 to ${MAX_DEMO_NODES} (a demo cluster of that many peers), not ${JSON.stringify(rawNodes)}.`);
  }
  const dataDir = values['data'] as string | undefined;
  if (dataDir !== undefined && dataDir.length === 0) throw new UsageError('--data needs a directory: where the demo cluster is kept.');
  const rawPort = values['port'] as string | undefined;
  const port = rawPort === undefined ? 0 : /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (0 picks a free one), not ${JSON.stringify(rawPort)}.`);
  return {
    command: 'demo', port, open: values['no-open'] !== true, tickMs: parseTickMs(values['tick-ms'] as string | undefined),
    ...(nodes !== undefined ? { nodes } : {}), ...(dataDir !== undefined ? { dataDir } : {}),
  };
}

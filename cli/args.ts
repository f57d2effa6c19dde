// Parsing and checking the command line of `raftnotes` (docs/api.md): serve,
// invite and demo. Kept apart from running it, so every flag's checks are
// unit-tested.
import { parseArgs } from 'node:util';
import { multiaddr } from '@multiformats/multiaddr';
import { InvalidInviteError, parseInvite } from '../core/net/index.ts';
import type { DemoOptions } from '../demo/command.ts';

const TICK_MS_HELP = `  --tick-ms <ms>          the Raft clock, 1 to 1000 ms per tick (default 10): elections after 15-30 ticks,
                          heartbeats every 5; --tick-ms 100 plays Raft ten times slower, easier to follow in a
                          class. Every peer of a notebook should run the same value.`;

/** SERVE_USAGE is the help of `raftnotes serve`. */
export const SERVE_USAGE = `Usage: raftnotes serve --data <dir> [--create <notebook name> | --invite <code>] [--name <display name>]
                       [--listen <multiaddr>]... [--api <host:port>] [--peer <multiaddr>]... [--no-mdns]
                       [--max-voters <n>] [--snapshot-every <entries>] [--tick-ms <ms>] [--exit-with-parent] [--lab]

Runs one peer without a window: it serves its local API and pages, and prints one JSON ready line on stdout.

  --data <dir>            the directory that holds this peer's notes (created when missing)
  --create <name>         on the first start: create a new notebook of that name
  --invite <code>         on the first start: join the notebook of an invite code (raftnotes invite, or the app)
  --name <display name>   how this peer is shown to the others (default: the host name)
  --listen <multiaddr>    where other peers reach this one, repeatable (default /ip4/0.0.0.0/tcp/0: any free port)
  --api <host:port>       where the local API and pages are served (default 127.0.0.1:0: a free port)
  --peer <multiaddr>      a peer to reach where multicast (mDNS) is blocked, repeatable
  --no-mdns               do not look for peers on the LAN with mDNS
  --max-voters <n>        how many members vote, 1 to 9 (default 5); the others follow as learners
  --snapshot-every <n>    compact the log into a snapshot every n entries (default 10000, at least 10)
${TICK_MS_HELP}
  --exit-with-parent      stop gently (as on SIGTERM) when stdin ends: the process that started the peer holds a
                          pipe on its stdin and never writes to it, so the peer stops when that process is gone,
                          even killed. Without it stdin is ignored.
  --lab                   the demo's peers (raftnotes demo starts them so): a trace of the Raft messages and timers on
                          /api/events, and the demo's controls (POST /api/lab: clock, pause and step, partitions,
                          PreVote and CheckQuorum).`;

/** INVITE_USAGE is the help of `raftnotes invite`. */
export const INVITE_USAGE = `Usage: raftnotes invite --data <dir>

Prints the invite code of the notebook in <dir>: another device joins with it (raftnotes serve --invite <code>).`;

/** DEMO_USAGE is the help of `raftnotes demo`. */
export const DEMO_USAGE = `Usage: raftnotes demo [--nodes <1-9>] [--data <dir>] [--port <port>] [--no-open] [--tick-ms <ms>]

Runs a local cluster of N peers and its dashboard in the browser. Stdout carries only JSON lines (the ready
line, with the dashboard's address); what a person reads goes to stderr.

  --nodes <n>             how many peers, 1 to 9 (default 5)
  --data <dir>            where the cluster is kept (default: a temporary directory removed at exit)
  --port <port>           the dashboard's port (default 0: a free port)
  --no-open               do not open the dashboard in the browser
${TICK_MS_HELP}`;

export const USAGE = `Usage:
  raftnotes serve --data <dir> [--create <notebook name> | --invite <code>] [...]
                                     one peer without a window
  raftnotes invite --data <dir>      print the invite code of that peer's notebook
  raftnotes demo [--nodes <1-9>] [...]
                                     a local cluster of N peers (default 5) and its dashboard in the browser

raftnotes <command> --help tells the flags of each command.`;

/** COMMAND_USAGE is the help of each command. */
const COMMAND_USAGE: ReadonlyMap<string, string> = new Map([['serve', SERVE_USAGE], ['invite', INVITE_USAGE], ['demo', DEMO_USAGE]]);

/** ServeArgs are the checked flags of `raftnotes serve`. */
export interface ServeArgs {
  command: 'serve';
  dataDir: string;
  create?: string;
  invite?: string;
  name?: string;
  listen?: string[];
  /** --api; without it, the address kept in the data directory (core/api/http/api-address.ts). */
  api?: { host: string; port: number };
  peers: string[];
  mdns: boolean;
  maxVoters: number;
  snapshotEvery: number;
  /** Milliseconds per Raft tick. */
  tickMs: number;
  /** Stop gently when stdin ends (the process that started the peer is gone). */
  exitWithParent: boolean;
  /** Run for the demo: trace events and POST /api/lab. */
  lab: boolean;
}

/** Args is a checked command line. */
export type Args = ServeArgs | DemoArgs | { command: 'invite'; dataDir: string } | { command: 'help'; usage: string };

/** UsageError says what is wrong with the command line; the CLI prints it with `usage`, the help of the command. */
export class UsageError extends Error {
  static override name = 'UsageError';
  override name = 'UsageError';
  usage = USAGE;
}

/** parseCommandLine checks `argv` (without node and the script) and returns what to run. */
export function parseCommandLine(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') return { command: 'help', usage: USAGE };
  if (command === 'help') return { command: 'help', usage: COMMAND_USAGE.get(rest[0] ?? '') ?? USAGE };
  const usage = COMMAND_USAGE.get(command);
  if (usage !== undefined && (rest.includes('--help') || rest.includes('-h'))) return { command: 'help', usage };
  try {
    return parseCommand(command, rest);
  } catch (error) {
    if (error instanceof UsageError && usage !== undefined) error.usage = usage;
    throw error;
  }
}

/** parseCommand checks the flags of `command`. */
function parseCommand(command: string, rest: string[]): Args {
  if (!COMMAND_USAGE.has(command)) throw new UsageError(`unknown command "${command}".`);
  if (command === 'demo') return parseDemoArgs(rest);
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        create: { type: 'string' },
        invite: { type: 'string' },
        name: { type: 'string' },
        listen: { type: 'string', multiple: true },
        api: { type: 'string' },
        peer: { type: 'string', multiple: true },
        'no-mdns': { type: 'boolean' },
        'max-voters': { type: 'string' },
        'snapshot-every': { type: 'string' },
        'tick-ms': { type: 'string' },
        'exit-with-parent': { type: 'boolean' },
        lab: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dataDir = values['data'];
  if (typeof dataDir !== 'string' || dataDir.length === 0) throw new UsageError('--data <dir> is required: the directory that holds this peer\'s notes.');
  if (command === 'invite') {
    const extra = Object.keys(values).filter((k) => k !== 'data');
    if (extra.length > 0) throw new UsageError(`raftnotes invite takes only --data (not --${extra[0]}).`);
    return { command: 'invite', dataDir };
  }

  const create = values['create'] as string | undefined;
  const invite = values['invite'] as string | undefined;
  if (create !== undefined && invite !== undefined) throw new UsageError('--create and --invite exclude each other: start a new notebook, or join one.');
  if (create !== undefined && create.trim().length === 0) throw new UsageError('--create needs a notebook name.');
  if (invite !== undefined) {
    try {
      parseInvite(invite);
    } catch (error) {
      if (error instanceof InvalidInviteError) throw new UsageError(`--invite: ${error.message}`);
      throw error;
    }
  }
  const name = values['name'] as string | undefined;
  if (name !== undefined && (name.trim().length === 0 || name.length > 128)) throw new UsageError('--name must be 1 to 128 characters.');
  const listen = values['listen'] as string[] | undefined;
  for (const addr of listen ?? []) checkMultiaddr('--listen', addr);
  const peers = (values['peer'] as string[] | undefined) ?? [];
  for (const addr of peers) checkMultiaddr('--peer', addr);
  const maxVoters = values['max-voters'] === undefined ? 5 : Number(values['max-voters']);
  if (!Number.isInteger(maxVoters) || maxVoters < 1 || maxVoters > 9) throw new UsageError('--max-voters must be a whole number from 1 to 9.');
  const snapshotEvery = values['snapshot-every'] === undefined ? 10_000 : Number(values['snapshot-every']);
  if (!Number.isInteger(snapshotEvery) || snapshotEvery < 10) throw new UsageError('--snapshot-every must be a whole number of entries, at least 10.');
  const tickMs = parseTickMs(values['tick-ms'] as string | undefined);
  return {
    command: 'serve', dataDir, peers,
    ...(values['api'] !== undefined ? { api: parseHostPort(values['api'] as string) } : {}), mdns: values['no-mdns'] !== true, maxVoters, snapshotEvery, tickMs,
    exitWithParent: values['exit-with-parent'] === true, lab: values['lab'] === true,
    ...(create !== undefined ? { create } : {}), ...(invite !== undefined ? { invite } : {}),
    ...(name !== undefined ? { name } : {}), ...(listen !== undefined ? { listen } : {}),
  };
}

function checkMultiaddr(flag: string, addr: string): void {
  try {
    multiaddr(addr);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(addr)} is not a multiaddr, e.g. /ip4/192.168.1.20/tcp/4001.`);
  }
}

/** DEFAULT_TICK_MS is the Raft clock: elections after 150–300 ms, heartbeats every 50 ms. */
export const DEFAULT_TICK_MS = 10;

/** parseTickMs reads --tick-ms: whole milliseconds from 1 to 1000; default DEFAULT_TICK_MS. */
export function parseTickMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TICK_MS;
  const ms = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(ms >= 1 && ms <= 1000)) throw new UsageError(`--tick-ms must be whole milliseconds from 1 to 1000 (default ${DEFAULT_TICK_MS}), not ${JSON.stringify(value)}.`);
  return ms;
}

/** parseHostPort reads --api: "127.0.0.1:8080", "localhost:0" (0 picks a free port); default 127.0.0.1:0. */
export function parseHostPort(value: string | undefined): { host: string; port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: 0 };
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port > 65535) throw new UsageError(`--api ${JSON.stringify(value)} must be host:port, e.g. 127.0.0.1:8080.`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** DemoArgs are the checked flags of `raftnotes demo`. */
export type DemoArgs = { command: 'demo' } & DemoOptions;

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

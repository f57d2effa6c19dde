// The command as a new user meets it (issue 15, item 11): each command's
// --help, a listen port already in use, a garbage invite code. Run as
// processes, through bin/raftnotes.js; a refused start leaves no data
// directory behind, nor a half-made one.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USAGE, INVITE_USAGE, SERVE_USAGE, USAGE } from '../../cli/args.ts';
import { removeDirs, tempDir } from '../cluster/peer-process.ts';

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;

/** Run is how a command ended. */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** raftnotes runs the command with `args` until it exits (at most 30 s). */
function raftnotes(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** listening holds a TCP port of 127.0.0.1 until closed. */
async function listening(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  await removeDirs();
});

describe('CommandRefusals', () => {
  it('prints the help of each command with --help and exits 0', async () => {
    for (const [args, usage] of [
      [['serve', '--help'], SERVE_USAGE], [['serve', '--data', 'x', '-h'], SERVE_USAGE], [['invite', '--help'], INVITE_USAGE],
      [['demo', '--help'], DEMO_USAGE], [['help', 'serve'], SERVE_USAGE], [['--help'], USAGE],
    ] as const) {
      const run = await raftnotes(...args);
      expect(run, args.join(' ')).toEqual({ code: 0, stdout: `${usage}\n`, stderr: '' });
    }
    expect(SERVE_USAGE).toMatch(/^Usage: raftnotes serve --data <dir>/);
    for (const flag of ['--data', '--create', '--invite', '--name', '--listen', '--api', '--peer', '--no-mdns', '--max-voters',
      '--snapshot-every', '--tick-ms', '--exit-with-parent']) expect(SERVE_USAGE).toContain(`\n  ${flag} `);
  });

  it('answers a wrong flag with the help of its command', async () => {
    const run = await raftnotes('serve', '--data', 'x', '--frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^raftnotes: Unknown option '--frobnicate'.*\n\nUsage: raftnotes serve /);
    expect(run.stderr.endsWith(`\n\n${SERVE_USAGE}\n`)).toBe(true);
  });

  it('says in one line which port is in use and which flag to change, and leaves no data directory behind', async () => {
    const { port, server } = await listening();
    servers.push(server);
    const dataDir = join(await tempDir(), 'new-peer');
    const run = await raftnotes('serve', '--data', dataDir, '--create', 'Taken', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--no-mdns');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `raftnotes: Cannot listen on /ip4/127.0.0.1/tcp/${port}: port ${port} is already in use (by another program, or another peer). ` +
        'Choose another address with --listen (e.g. --listen /ip4/0.0.0.0/tcp/0 takes any free port).\n',
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a garbage invite code before it makes anything, and leaves an empty data directory empty on a refused start', async () => {
    const missing = join(await tempDir(), 'never-made');
    const garbage = await raftnotes('serve', '--data', missing, '--invite', 'not-an-invite-code', '--no-mdns');
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^raftnotes: --invite: This invite code is not valid: .*Copy the whole code again/);
    expect(garbage.stderr).toContain(SERVE_USAGE);
    expect(existsSync(missing)).toBe(false);

    // An API port in use refuses the start after the notebook was made: the directory is emptied again.
    const { port, server } = await listening();
    servers.push(server);
    const empty = join(await tempDir(), 'empty');
    await mkdir(empty);
    const refused = await raftnotes('serve', '--data', empty, '--create', 'Refused', '--api', `127.0.0.1:${port}`,
      '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/(^|\n)raftnotes: .+\n$/);
    expect(readdirSync(empty)).toEqual([]);
  });
});

// StartProcess runs `npm start` (scripts/start.ts) in a child process for
// tests, with HOME and XDG_CONFIG_HOME in a temporary folder so nothing is
// written to the real user folders. It collects the output lines, waits for
// the page's URL, lists the processes it started (Linux's /proc) to check that
// none outlives it, and kills whatever is left after a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** ROOT is the repository, where `npm start` runs. */
export const ROOT = new URL('../../', import.meta.url).pathname;
const START = join(ROOT, 'scripts', 'start.ts');

const live = new Set<StartProcess>();

/** StartProcess is one `npm start` in a temporary home. */
export class StartProcess {
  readonly home: string;
  readonly lines: string[] = [];
  readonly seenPids = new Set<number>();
  private child: ChildProcess | null = null;
  exited: Promise<number | null> = Promise.resolve(null);

  private constructor(home: string) {
    this.home = home;
  }

  /** create makes the temporary home (removed by cleanUp). */
  static async create(): Promise<StartProcess> {
    const start = new StartProcess(await mkdtemp(join(tmpdir(), 'raftnotes-start-')));
    live.add(start);
    return start;
  }

  /** userData is the Raftnotes user data folder inside the temporary home (XDG_CONFIG_HOME/Raftnotes). */
  get userData(): string {
    return join(this.home, 'config', 'Raftnotes');
  }

  /** run starts `node scripts/start.ts <args>` (or `npm start -- <args>` with `viaNpm`) with `env` over a clean environment. */
  run(args: string[], env: Record<string, string | undefined> = {}, viaNpm = false): void {
    const base: Record<string, string | undefined> = { ...process.env, HOME: this.home, XDG_CONFIG_HOME: join(this.home, 'config'),
      ELECTRON_OVERRIDE_DIST_PATH: undefined, CHROMIUM_PATH: undefined, RAFTNOTES_NO_OPEN: undefined, npm_config_update_notifier: 'false' };
    const [file, argv] = viaNpm ? ['npm', ['start', '--silent', '--', ...args]] : [process.execPath, [START, ...args]];
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env } as NodeJS.ProcessEnv });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => this.lines.push(line));
  }

  get started(): boolean {
    return this.child !== null;
  }

  get pid(): number {
    return this.child!.pid!;
  }

  /** output is everything printed so far. */
  get output(): string {
    return this.lines.join('\n');
  }

  /** until waits for `check` to return a value, and fails at once, with the output, when `npm start` exits first. */
  async until<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
    for (const deadline = Date.now() + ms; ;) {
      const value = check();
      if (value !== undefined) return value;
      if (this.child!.exitCode !== null) throw new Error(`npm start exited with ${this.child!.exitCode} before ${what}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** waitForLine waits for a printed line matching `pattern` and returns its match. */
  waitForLine(pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
    return this.until(`a line matching ${pattern}`, () => {
      for (const line of this.lines) {
        const match = pattern.exec(line);
        if (match !== null) return match;
      }
      return undefined;
    }, ms);
  }

  /** waitForPage waits for the line with the page's URL and returns the URL and the peer's pid. */
  async waitForPage(): Promise<{ url: string; peerPid: number }> {
    const match = await this.waitForLine(/ is at (http:\/\/127\.0\.0\.1:\d+\/) {2}\(peer pid (\d+),/);
    return { url: match[1]!, peerPid: Number(match[2]) };
  }

  /** descendants lists the processes running under `npm start` now, and remembers them for cleanUp. */
  async descendants(): Promise<number[]> {
    const found = await descendantsOf(this.pid);
    for (const pid of found) this.seenPids.add(pid);
    return found;
  }

  /** signal sends `signal` to `npm start` and waits for its exit code. */
  async signal(signal: NodeJS.Signals): Promise<number | null> {
    this.child!.kill(signal);
    return this.exited;
  }
}

/** cleanUp kills every process a StartProcess ran or saw, and removes the temporary homes. */
export async function cleanUp(): Promise<void> {
  for (const start of live) {
    // A test that failed early never listed them; while `npm start` runs, its children are still its own.
    if (start.started) await start.descendants();
    for (const pid of start.started ? [start.pid, ...start.seenPids] : []) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
    }
    await rm(start.home, { recursive: true, force: true });
  }
  live.clear();
}

/** isRunning says whether `pid` is a live process (a zombie, dead but not yet reaped, is not). */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    return statFields(await readFile(`/proc/${pid}/stat`, 'utf8')).state !== 'Z';
  } catch {
    return false;
  }
}

/** descendantsOf lists the children of `pid`, their children, and so on, from /proc. */
async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const { ppid } = statFields(await readFile(`/proc/${name}/stat`, 'utf8'));
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const children = parents.get(queue.shift()!) ?? [];
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** statFields reads the state and parent of /proc/<pid>/stat: "pid (comm) state ppid …", where comm may hold spaces and parentheses. */
function statFields(stat: string): { state: string; ppid: number } {
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: state!, ppid: Number(ppid) };
}

// Children are the server processes a benchmark starts (Raftnotes peers, etcd
// members): each is tracked from spawn to exit, keeps the tail of its output
// for diagnosis, and is killed by its own pid when the benchmark ends, fails
// or is interrupted. Nothing else is ever signalled. Temporary directories
// are tracked the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const LOG_LINES = 200;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

const live = new Set<Child>();

/** Child is one running server process. */
export class Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last lines of stdout and stderr. */
  readonly logs: string[] = [];
  readonly exited: Promise<void>;
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(name: string, file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.process = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    live.add(this);
    this.exited = new Promise((resolve) => this.process.once('exit', () => { live.delete(this); resolve(); }));
    this.process.once('error', (error) => this.keep(`spawn failed: ${error.message}`));
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.keep(line);
        for (const listener of this.lineListeners) listener(line);
      });
    }
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** waitForLine resolves with the first output line `match` accepts (returns non-undefined for). */
  waitForLine<T>(what: string, match: (line: string) => T | undefined, ms = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
        this.process.off('exit', onExit);
      };
      const listener = (line: string): void => {
        const value = match(line);
        if (value !== undefined) { done(); resolve(value); }
      };
      const onExit = (): void => { done(); reject(new Error(`${this.name} exited before ${what}:\n${this.tail()}`)); };
      const timer = setTimeout(() => { done(); reject(new Error(`${this.name}: no ${what} within ${ms} ms:\n${this.tail()}`)); }, ms);
      this.lineListeners.add(listener);
      this.process.once('exit', onExit);
    });
  }

  /** kill sends SIGKILL (kill -9) and waits for the exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }

  /** cpuSeconds is the user + system CPU time the process has used so far (0 once it is gone). */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      return 0;
    }
  }

  /** memory is the process's resident memory now and at its peak (VmRSS, VmHWM of /proc/<pid>/status), in MiB; null once it is gone. */
  memory(): { rssMiB: number; peakMiB: number } | null {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
    } catch {
      return null;
    }
  }

  tail(lines = 20): string {
    return this.logs.slice(-lines).map((l) => `  [${this.name}] ${l}`).join('\n');
  }

  private keep(line: string): void {
    this.logs.push(line);
    if (this.logs.length > LOG_LINES) this.logs.shift();
  }
}

/** killAllChildren kills every child still running. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.kill()));
}

/** killAllChildrenNow sends SIGKILL to every child without waiting (for process exit handlers). */
export function killAllChildrenNow(): void {
  for (const c of live) if (c.running) c.process.kill('SIGKILL');
}

const dirs = new Set<string>();

/** tempDir makes a temporary directory that removeTempDirs deletes. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** removeTempDir deletes one directory tempDir made. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** removeTempDirs deletes every directory tempDir made. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all([...dirs].map((d) => rm(d, { recursive: true, force: true })));
  dirs.clear();
}

/** removeTempDirsNow is removeTempDirs for process exit handlers. */
export function removeTempDirsNow(): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

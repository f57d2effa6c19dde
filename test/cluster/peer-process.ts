// PeerProcess runs one `raftnotes serve` in a child process for multi-process
// tests: it waits for the ready line, talks to the local API, and stops the
// peer gently (SIGTERM) or not (SIGKILL). Every process is tracked so a test
// can kill them all, even after a failure. Peers run bin/raftnotes.js, as users
// do, on the bundle (test/build-setup.ts rebuilds it when the sources changed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;

/** ReadyLine is what a peer prints once it serves. */
export interface ReadyLine {
  event: 'ready';
  peerId: string;
  addrs: string[];
  api: string;
  token: string;
  notebook: { id: string; name: string } | null;
}

/** ApiAnswer is a status and a parsed JSON body. */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

const live = new Set<PeerProcess>();

/** PeerProcess is one running headless peer. */
export class PeerProcess {
  readonly dataDir: string;
  readonly name: string;
  private child: ChildProcess | null = null;
  ready: ReadyLine | null = null;
  /** stderr lines, for diagnosing a failure. */
  readonly logs: string[] = [];
  private exited: Promise<number | null> = Promise.resolve(null);
  /** How the last process ended: its exit code, or the signal that ended it. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });

  constructor(dataDir: string, name: string) {
    this.dataDir = dataDir;
    this.name = name;
  }

  /** start runs `raftnotes serve --data <dir> --name <name> <args>` and waits for its ready line. */
  async start(args: string[] = [], env: Record<string, string> = {}, command: string[] = []): Promise<ReadyLine> {
    const fullArgs = [BIN, 'serve', '--data', this.dataDir, '--name', this.name, ...args];
    // `command` runs the peer through another program, e.g. ['ip', 'netns', 'exec', 'rn-a'].
    const [file, argv] = command.length > 0
      ? [command[0]!, [...command.slice(1), process.execPath, ...fullArgs]]
      : [process.execPath, fullArgs];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child = child;
    live.add(this);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.ended = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.logs.push(line);
      if (process.env['RAFTNOTES_TEST_LOGS']) console.error(`[${this.name}] ${line}`);
    });
    const ready = await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} printed no ready line in 20 s:\n${this.logs.join('\n')}`)), 20_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const parsed = JSON.parse(line) as ReadyLine;
          if (parsed.event === 'ready') {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          // not a JSON line
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with ${code} before it was ready:\n${this.logs.join('\n')}`));
      });
    });
    this.ready = ready;
    return ready;
  }

  /** pid is the running process's id (to pause it with SIGSTOP), or undefined. */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** api calls the local API with the peer's token. */
  async api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    if (this.ready === null) throw new Error(`${this.name} is not running`);
    const res = await fetch(`${this.ready.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.ready.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text.length > 0 ? JSON.parse(text) : null };
  }

  /** exitCode waits up to `ms` for the process to exit on its own and returns its exit code (null: killed by a signal). */
  async exitCode(ms = 20_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${ms} ms:\n${this.logs.join('\n')}`)), ms);
    });
    try {
      const code = await Promise.race([this.exited, timeout]);
      live.delete(this);
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** stop sends SIGTERM and waits for the exit code. */
  async stop(): Promise<number | null> {
    if (!this.running) return null;
    this.child!.kill('SIGTERM');
    const code = await this.exited;
    live.delete(this);
    return code;
  }

  /** kill sends SIGKILL: the peer dies without any chance to clean up. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
    live.delete(this);
  }
}

/** killAll kills every peer process still running (for afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}

/** tempDir makes a temporary directory; removeDirs removes every one made. */
const dirs: string[] = [];
export async function tempDir(prefix = 'raftnotes-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
export async function removeDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** waitFor polls `check` until it returns a value other than undefined/false, or throws after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ports freePort has handed out in this process: the kernel may offer a port again once it is closed. */
const handedOut = new Set<number>();

/**
 * freePort asks the kernel for a free TCP port on 127.0.0.1 that this process
 * has not been given before: two peers given ports one after the other must
 * not get the same one (a bench run once gave a peer's API the port another
 * peer listened on).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

// DemoProcess runs `raftnotes demo --no-open` in a child process for tests:
// it waits for the demo-ready line, calls the dashboard's API with its token,
// and stops the demo with SIGTERM. stopAllDemos kills whatever is left (the
// demo, and every peer pid it ever reported) and removes its directory, so a
// failed test leaves no process and no temp dir behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { waitFor } from '../cluster/peer-process.ts';
import type { DemoNodeView } from '../../demo/view.ts';

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;


/** Answer is a status and a parsed JSON body. */
export interface Answer<T = any> {
  status: number;
  body: T;
}

const live = new Set<DemoProcess>();

/** DemoProcess is one running `raftnotes demo`. */
export class DemoProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  url = '';
  token = '';
  dataDir = '';
  /** Every peer pid seen, to kill after a failure. */
  readonly pids = new Set<number>();
  readonly output: string[] = [];
  /** The lines of stderr: what the demo tells a person. */
  readonly stderr: string[] = [];
  /** Lines of stdout that are not JSON: none, since stdout is for scripts (human text goes to stderr). */
  readonly notJson: string[] = [];

  /** start runs `raftnotes demo --no-open <args>` and waits for its demo-ready line. */
  async start(args: string[]): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'demo', '--no-open', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(this);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.output.push(line);
      this.stderr.push(line);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo printed no ready line in 60 s:\n${this.output.join('\n')}`)), 60_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.output.push(line);
        let parsed: { event?: string };
        try {
          parsed = JSON.parse(line) as { event?: string };
        } catch {
          this.notJson.push(line);
          return;
        }
        if (parsed.event !== 'demo-ready') return;
        const ready = parsed as { url: string; token: string; dataDir: string; peers: DemoNodeView[] };
        Object.assign(this, { url: ready.url, token: ready.token, dataDir: ready.dataDir });
        for (const p of ready.peers) if (p.pid !== null) this.pids.add(p.pid);
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited with ${code} before it was ready:\n${this.output.join('\n')}`));
      });
    });
  }

  /** call sends a request to the dashboard with its token (unless `headers` replace it). */
  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const res = await fetch(new URL(path, this.url), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text.length > 0 && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  }

  /** peers lists the demo's peers and remembers their pids. */
  async peers(): Promise<DemoNodeView[]> {
    const { body } = await this.call<{ peers: DemoNodeView[] }>('GET', '/api/demo/peers');
    for (const p of body.peers) if (p.pid !== null) this.pids.add(p.pid);
    return body.peers;
  }

  /** peerApi calls one peer's own API through the dashboard's proxy. */
  peerApi<T = any>(name: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    return this.call<T>(method, `/peers/${name}${path}`, body);
  }

  /** leader waits until exactly one running peer says it leads, and returns its name. */
  async leader(among?: string[]): Promise<string> {
    return waitFor('one leader', async () => {
      const leaders: string[] = [];
      for (const p of await this.peers()) {
        if (p.state !== 'running' || (among !== undefined && !among.includes(p.name))) continue;
        const { body } = await this.peerApi(p.name, 'GET', '/api/status');
        if (body.role === 'leader') leaders.push(p.name);
      }
      return leaders.length === 1 ? leaders[0] : undefined;
    }, 20_000);
  }

  /** stop sends SIGTERM and waits for the exit code. */
  async stop(): Promise<number | null> {
    if (this.child === null) return null;
    this.child.kill('SIGTERM');
    const code = await this.exited;
    this.child = null;
    live.delete(this);
    return code;
  }

  /** kill sends SIGKILL to the demo alone, as `kill -9` would, and waits for it to die; its peers are left to themselves. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** destroy kills the demo and every peer it reported, and removes its directory. */
  async destroy(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = null;
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.dataDir !== '') await rm(this.dataDir, { recursive: true, force: true });
    live.delete(this);
  }
}

/** stopAllDemos stops every demo still running, gently first (for afterAll). */
export async function stopAllDemos(): Promise<void> {
  await Promise.all([...live].map(async (d) => {
    await Promise.race([d.stop(), new Promise((r) => setTimeout(r, 15_000))]);
    await d.destroy();
  }));
}

/** isAlive says whether a process still runs. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

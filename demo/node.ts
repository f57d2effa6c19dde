// DemoNode is one peer of `raftnotes demo`: a `raftnotes serve` child process
// spawned through bin/raftnotes.js (the command users run), on its own data
// directory and libp2p port. It reads the child's JSON ready line (API URL and
// token), stops it gently (SIGTERM, then SIGKILL after a timeout) or crashes it
// (SIGKILL), and starts it again on the same data. A child that dies on its
// own is only marked stopped. Each child gets a pipe on stdin that is never
// written to, and --exit-with-parent: when the demo dies, even by SIGKILL, the
// kernel closes the pipe and the peer stops gently by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { RAFTNOTES_BIN } from '../core/paths.ts';
import { createInterface } from 'node:readline';
import type { DemoNodeState, DemoNodeView } from './view.ts';


/** DemoNodeInit says where a node keeps its data and which port its peer listens on. */
export interface DemoNodeInit {
  name: string;
  dataDir: string;
  /** The libp2p TCP port on 127.0.0.1, fixed so that the others find the node again after a restart. */
  port: number;
  /** Called whenever the state changes. */
  onChange?: (node: DemoNode) => void;
  /** Receives each line the peer writes on stderr. */
  onLog?: (node: DemoNode, line: string) => void;
}

/** STOP_TIMEOUT_MS is how long a gentle stop waits before it kills. */
export const STOP_TIMEOUT_MS = 8_000;
const READY_TIMEOUT_MS = 30_000;

/** DemoNode runs and watches one peer process. */
export class DemoNode {
  readonly name: string;
  readonly dataDir: string;
  readonly port: number;
  private readonly init: DemoNodeInit;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stateValue: DemoNodeState = 'stopped';
  private lastExit: string | null = null;
  private killing = false;
  /** The ready line's API URL and token while the node runs. */
  api: { url: string; token: string } | null = null;
  peerId: string | null = null;
  /** The last stderr lines, to explain a failed start. */
  readonly recentLogs: string[] = [];

  constructor(init: DemoNodeInit) {
    this.init = init;
    this.name = init.name;
    this.dataDir = init.dataDir;
    this.port = init.port;
  }

  get state(): DemoNodeState {
    return this.stateValue;
  }

  /** listenAddr is where the node's peer listens; the others dial it with --peer. */
  get listenAddr(): string {
    return `/ip4/127.0.0.1/tcp/${this.port}`;
  }

  view(): DemoNodeView {
    return {
      name: this.name, state: this.stateValue, api: this.api?.url ?? null, pid: this.child?.pid ?? null,
      peerId: this.peerId, port: this.port, dataDir: this.dataDir, lastExit: this.lastExit,
    };
  }

  /** start runs `raftnotes serve` on the node's data with `extra` flags and waits for its ready line. */
  async start(extra: string[]): Promise<void> {
    if (this.stateValue !== 'stopped') throw new Error(`${this.name} is ${this.stateValue}; stop it before starting it again.`);
    const args = [RAFTNOTES_BIN, 'serve', '--data', this.dataDir, '--name', this.name, '--listen', this.listenAddr,
      '--api', '127.0.0.1:0', '--no-mdns', '--exit-with-parent', ...extra];
    // Its own process group: a Ctrl-C in the terminal reaches the demo, which stops the peers one signal each.
    // Its stdin pipe stays open, unwritten, as long as the demo lives (see --exit-with-parent).
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.killing = false;
    this.setState('starting');
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = null;
        this.api = null;
        this.lastExit = signal === 'SIGKILL' ? 'crashed (SIGKILL)' : code === 0 ? 'stopped' : `exited with ${code ?? signal}`;
        this.setState('stopped');
        resolve();
      });
    });
    child.once('error', (error) => this.remember(`could not start: ${error.message}`));
    child.stdin!.on('error', () => {}); // never written to; a peer gone before the demo notices is not the demo's error
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.remember(line);
      this.init.onLog?.(this, line);
    });
    const ready = await this.readyLine(child).catch(async (error: Error) => {
      await this.crash();
      throw error;
    });
    this.api = { url: ready.api, token: ready.token };
    this.peerId = ready.peerId;
    this.setState('running');
  }

  private readyLine(child: ChildProcess): Promise<{ api: string; token: string; peerId: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} printed no ready line in ${READY_TIMEOUT_MS / 1000} s:\n${this.recentLogs.join('\n')}`)), READY_TIMEOUT_MS);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const parsed = parseReadyLine(line);
        if (parsed !== null) {
          clearTimeout(timer);
          resolve(parsed);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before it was ready:\n${this.recentLogs.slice(-10).join('\n')}`));
      });
    });
  }

  /** stop asks the peer to stop (SIGTERM: a leader hands over first) and kills it after `timeoutMs`. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.setState('stopping');
    child.kill('SIGTERM');
    const timer = setTimeout(() => this.crash(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** killNow sends SIGKILL without waiting (the demo is exiting). */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  /** crash kills the peer at once (SIGKILL), as a power cut would. */
  async crash(): Promise<void> {
    const child = this.child;
    if (child === null || this.killing) return this.exited;
    this.killing = true;
    child.kill('SIGKILL');
    await this.exited;
  }

  private setState(state: DemoNodeState): void {
    this.stateValue = state;
    this.init.onChange?.(this);
  }

  private remember(line: string): void {
    this.recentLogs.push(line);
    if (this.recentLogs.length > 50) this.recentLogs.shift();
  }
}

/** parseReadyLine reads a peer's `{"event":"ready",…}` line, or null for any other line. */
export function parseReadyLine(line: string): { api: string; token: string; peerId: string } | null {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    if (value['event'] !== 'ready' || typeof value['api'] !== 'string' || typeof value['token'] !== 'string') return null;
    return { api: value['api'], token: value['token'], peerId: String(value['peerId'] ?? '') };
  } catch {
    return null;
  }
}

// PeerHost runs the desktop app's peer on a worker thread (peer-worker.ts)
// and is its main-thread handle: the same invoke and subscribe as the
// IpcAdapter the worker wraps, so the IPC bridge relays to it unchanged, and
// the settings and the gentle stop. Electron-free: tested in Node.
import { Worker } from 'node:worker_threads';
import type { IpcResult } from '../../core/api/ipc/bridge-types.ts';
import { YOUNG_GENERATION_MIB } from '../../core/service/memory-release.ts';
import type { FromWorker, PeerSummary, PeerWorkerData, ToWorker } from './messages.ts';

/** STOPPED answers a call the peer's worker can no longer take. */
const STOPPED: IpcResult<never> = { ok: false, error: { code: 'stopping', message: 'The peer has stopped; start Raftnotes again.' } };

/** PeerHostInit says where the worker's code is and what it runs. */
export interface PeerHostInit extends PeerWorkerData {
  /** The worker's module: peer-worker.ts from the sources, dist/app/peer-worker.js in the app. */
  workerUrl: URL;
  /** Called when the peer's storage failed: it acknowledges nothing more. */
  onFatal?: (message: string) => void;
  /** Called with the peer's summary (menu state, pending notes) whenever it changes. */
  onSummary?: (summary: PeerSummary) => void;
}

/** PeerHost is the main thread's handle on the peer's worker. */
export class PeerHost {
  readonly peerId: string;
  private readonly worker: Worker;
  private readonly init: PeerHostInit;
  private nextId = 1;
  private readonly calls = new Map<number, (result: IpcResult<unknown>) => void>();
  private readonly subscribers = new Map<number, (json: string) => void>();
  private localApiAnswer: ((url: string | null, error?: string) => void) | null = null;
  private stopped: Promise<void> | null = null;
  private exited = false;

  /** start starts the worker and resolves once its peer runs (or rejects with why it did not start). */
  static async start(init: PeerHostInit): Promise<PeerHost> {
    const data: PeerWorkerData = { dataDir: init.dataDir, origin: init.origin, ...(init.name !== undefined ? { name: init.name } : {}) };
    const worker = new Worker(init.workerUrl, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB } });
    const peerId = await new Promise<string>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') resolve(message.peerId);
        else if (message.type === 'start-failed') reject(new Error(message.message));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the peer's worker exited with ${code} before it was ready`)));
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new PeerHost(worker, init, peerId);
  }

  private constructor(worker: Worker, init: PeerHostInit, peerId: string) {
    this.worker = worker;
    this.init = init;
    this.peerId = peerId;
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => init.onFatal?.(`the peer's worker failed: ${error.message}`));
    if (init.onSummary !== undefined) this.post({ type: 'follow-summary' });
    worker.on('exit', () => {
      this.exited = true;
      for (const answer of this.calls.values()) answer(STOPPED);
      this.calls.clear();
    });
  }

  /** invoke runs an operation of the API table in the worker (IpcAdapter.invoke). */
  invoke(name: string, senderUrl: string, input: unknown): Promise<IpcResult<unknown>> {
    if (this.exited) return Promise.resolve(STOPPED);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.calls.set(id, resolve);
      this.post({ type: 'invoke', id, name, senderUrl, input });
    });
  }

  /** subscribe receives the live events (each an ApiEvent as JSON text) for the frame at `senderUrl` until the returned function is called. */
  subscribe(senderUrl: string, send: (json: string) => void): () => void {
    const id = this.nextId++;
    this.subscribers.set(id, send);
    this.post({ type: 'subscribe', id, senderUrl });
    return () => {
      if (!this.subscribers.delete(id)) return;
      this.post({ type: 'unsubscribe', id });
    };
  }

  /** setLocalApi starts or stops the local HTTP API for scripts; its URL, or null when off; it rejects with why it did not start. */
  setLocalApi(on: boolean): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.localApiAnswer = (url, error) => (error === undefined ? resolve(url) : reject(new Error(error)));
      this.post({ type: 'local-api', on });
    });
  }

  /** stop stops the peer gently (a leader hands over first, storage is flushed) and ends the worker. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      const onStopped = (message: FromWorker) => {
        if (message.type === 'stopped') void this.worker.terminate();
      };
      this.worker.on('message', onStopped);
      this.post({ type: 'stop' });
    });
    return this.stopped;
  }

  private post(message: ToWorker): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'result':
        this.calls.get(message.id)?.(message.result);
        this.calls.delete(message.id);
        return;
      case 'event':
        this.subscribers.get(message.id)?.(message.json);
        return;
      case 'summary':
        this.init.onSummary?.(message.summary);
        return;
      case 'local-api':
        this.localApiAnswer?.(message.url, message.error);
        this.localApiAnswer = null;
        return;
      case 'fatal':
        this.init.onFatal?.(message.message);
        return;
      case 'ready':
      case 'start-failed':
      case 'stopped':
        return;
    }
  }
}

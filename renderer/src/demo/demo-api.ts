// The dashboard's calls to the demo server: its control API (the peers'
// processes) and each peer's log, read through the server's proxy. The rest of
// a peer's API goes through the shared client (createHttpClient on /peers/<name>).
import { ClientError } from '../../../client/client-api.ts';
import type { LogEntryView, LogPage } from '../../../core/api/types.ts';
import type { DemoLabSettings, DemoNodeState, DemoNodeView } from '../../../demo/view.ts';

/** ProcessState is a peer process as the demo server runs it; DemoPeer one row of GET /api/demo/peers (the server's own types). */
export type { DemoNodeState as ProcessState, DemoNodeView as DemoPeer };

/** LogEntry is one entry of GET /api/log, LogPage the whole answer: the peer's own types (type-only, erased in the build). */
export type { LogEntryView as LogEntry, LogPage };

/** DemoApi calls the demo server with the page's token. */
export class DemoApi {
  private readonly token: string;

  constructor(token: string) {
    this.token = token;
  }

  /** peers lists the demo's peer processes. */
  async peers(): Promise<{ peers: DemoNodeView[]; dataDir: string; temporary: boolean }> {
    return this.call('GET', '/api/demo/peers');
  }

  /** act stops (SIGTERM), crashes (SIGKILL) or starts again one peer. */
  async act(name: string, action: 'stop' | 'crash' | 'start'): Promise<DemoNodeView> {
    return (await this.call<{ peer: DemoNodeView }>('POST', `/api/demo/peers/${encodeURIComponent(name)}/${action}`)).peer;
  }

  /** lab sends a lab control (clock, safeguards, partition, split-vote) for every peer and returns the settings then. */
  async lab(control: 'clock' | 'safeguards' | 'partition' | 'split-vote', body: object): Promise<DemoLabSettings> {
    return this.call('POST', `/api/demo/${control}`, body);
  }

  /** log reads `limit` entries of a peer's log from `from` (default: its last `limit`). */
  async log(name: string, limit: number, from?: number): Promise<LogPage> {
    const query = `limit=${limit}${from === undefined ? '' : `&from=${from}`}`;
    return this.call('GET', `/peers/${encodeURIComponent(name)}/api/log?${query}`);
  }

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method, cache: 'no-store',
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ClientError('network', 'The demo does not answer: is `raftnotes demo` still running?');
    }
    const answer = await res.json().catch(() => null) as { error?: string; message?: string } | null;
    if (!res.ok) throw new ClientError(answer?.error ?? `http-${res.status}`, answer?.message ?? `The demo answered ${res.status}.`, res.status);
    return answer as T;
  }
}

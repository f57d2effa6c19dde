// ServicePeer runs one peer inside the test process, as the desktop app's main
// process does: a NotesService on 127.0.0.1 without mDNS, and the app's local
// API for scripts (an HttpApi on the same service, no web pages) so a test
// checks it with the same HTTP calls as a PeerProcess. Every peer is tracked
// so a test can stop them all, even after a failure.
import { eventFeed } from '../../core/api/events.ts';
import { HttpApi, operationRoutes } from '../../core/api/http/http-api.ts';
import { loadOrCreateToken } from '../../core/service/data-dir.ts';
import { NotesService } from '../../core/service/notes-service.ts';
import type { ApiAnswer } from './peer-process.ts';
import { tempDir, waitFor } from './peer-process.ts';

const live = new Set<ServicePeer>();

/** ServicePeer is one in-process peer and its local API. */
export class ServicePeer {
  readonly name: string;
  readonly service: NotesService;
  private localApi: HttpApi | null = null;
  private base = '';
  private token = '';
  private isolatedForGood = false;
  private stopped = false;

  private constructor(name: string, service: NotesService) {
    this.name = name;
    this.service = service;
  }

  /** start starts a peer named `name` in a new temporary data directory, `peers` being the addresses it dials. */
  static async start(name: string, peers: string[] = []): Promise<ServicePeer> {
    const dataDir = await tempDir();
    const peer = new ServicePeer(name, new NotesService({ dataDir, name, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, peers }));
    live.add(peer);
    await peer.service.start();
    peer.token = await loadOrCreateToken(dataDir);
    peer.localApi = new HttpApi({
      host: '127.0.0.1', port: 0, token: peer.token, routes: operationRoutes(peer.service), events: eventFeed(peer.service), ui: null,
    });
    peer.base = await peer.localApi.start();
    return peer;
  }

  /** running is false once the peer was stopped or killed (cut off for good). */
  get running(): boolean {
    return !this.stopped && !this.isolatedForGood;
  }

  /** api calls the peer's local API with its token, as PeerProcess.api does. */
  async api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text.length > 0 ? JSON.parse(text) : null };
  }

  /**
   * kill is the in-process stand-in for SIGKILL (the test process cannot kill
   * a part of itself): the peer is cut off from every other peer at once, with
   * no hand-over and no goodbye, and stays cut off; to the others it is as
   * gone as a killed process. Its own state and page keep running until stop.
   */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.isolatedForGood = true;
    await this.service.running().setIsolated(true);
  }

  /** stop stops the local API and the peer (a leader hands over first). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    await this.localApi?.stop();
    await this.service.stop();
  }
}

/** stopAllServices stops every in-process peer still running (for afterAll/afterEach). */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}

/** startServiceCluster starts A with a new notebook, then B and C with its invite code and A's address, as startCluster does with processes. */
export async function startServiceCluster(): Promise<ServicePeer[]> {
  const a = await ServicePeer.start('A');
  await a.service.createNotebook('Team notes');
  const invite = a.service.invite();
  const others = await Promise.all(['B', 'C'].map(async (name) => {
    const peer = await ServicePeer.start(name, [a.service.addrs()[0]!]);
    await peer.service.joinNotebook(invite);
    return peer;
  }));
  // Formed once the configuration with three voters is committed: until then a membership change is refused as pending.
  await waitFor('three voters, committed', () => {
    const s = a.service.status();
    return s.members.filter((m) => m.voter).length === 3 && s.commitIndex >= s.lastIndex;
  }, 20_000);
  return [a, ...others];
}

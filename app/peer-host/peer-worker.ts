// The worker thread that runs the desktop app's peer: the NotesService, the
// IpcAdapter that answers the window's calls, and the local HTTP API when the
// setting asks for it. It lives in the app's process (the consensus core runs
// in the main process) but not on its main thread, so nothing the peer does
// delays the window. Its messages: messages.ts.
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { eventFeed } from '../../core/api/events.ts';
import { API_ADDRESS_FILE, listenAtKeptAddress } from '../../core/api/http/api-address.ts';
import { HttpApi, operationRoutes } from '../../core/api/http/http-api.ts';
import { IpcAdapter } from '../../core/api/ipc/ipc-adapter.ts';
import { loadOrCreateToken } from '../../core/service/data-dir.ts';
import { createLogger } from '../../core/service/logger.ts';
import { limitHeapGrowth, releaseMemoryWhenQuiet } from '../../core/service/memory-release.ts';
import { NotesService } from '../../core/service/notes-service.ts';
import type { FromWorker, PeerSummary, PeerWorkerData, ToWorker } from './messages.ts';

const port = parentPort;
if (port === null) throw new Error('peer-worker.ts runs as a worker thread (PeerHost starts it)');
const init = workerData as PeerWorkerData;
const post = (message: FromWorker) => port.postMessage(message);
// A worker's standard error is the process's: its lines go where the main thread's go.
const log = createLogger('peer');

const service = new NotesService({ dataDir: init.dataDir, ...(init.name !== undefined ? { name: init.name } : {}) });
const ipc = new IpcAdapter({ service, origin: init.origin, log });
const subscriptions = new Map<number, () => void>();
let localApi: HttpApi | null = null;

service.addEventListener('log', (evt) => log.info(evt.detail.text));
service.addEventListener('fatal', (evt) => post({ type: 'fatal', message: evt.detail.message }));
// Under load the heap grows less than V8 would let it (its young generation: peer-host.ts), and after a burst of
// changes it is given back (the process's resident memory tells when).
limitHeapGrowth();
releaseMemoryWhenQuiet(service, 'notes');

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'invoke':
      void ipc.invoke(message.name, message.senderUrl, message.input).then((result) => post({ type: 'result', id: message.id, result }));
      return;
    case 'subscribe': {
      const stop = ipc.subscribe(message.senderUrl, (event) => post({ type: 'event', id: message.id, json: JSON.stringify(event) }));
      if (stop !== null) subscriptions.set(message.id, stop);
      return;
    }
    case 'unsubscribe':
      subscriptions.get(message.id)?.();
      subscriptions.delete(message.id);
      return;
    case 'local-api':
      void setLocalApi(message.on).then((url) => post({ type: 'local-api', url }), (error: Error) => {
        log.error('the local API did not start', error);
        post({ type: 'local-api', url: null, error: error.message });
      });
      return;
    case 'follow-summary':
      followSummary();
      return;
    case 'stop':
      void stop();
      return;
  }
});

/**
 * setLocalApi starts (on 127.0.0.1, with the data directory's token) or stops
 * the HTTP API for scripts; its URL or null. It serves where it served last,
 * by the same rule as `raftnotes serve` (api-address.ts), so scripts keep
 * their address across restarts of the app.
 */
async function setLocalApi(on: boolean): Promise<string | null> {
  if (!on) {
    await localApi?.stop();
    localApi = null;
    return null;
  }
  if (localApi !== null) return null;
  const token = await loadOrCreateToken(init.dataDir);
  return await listenAtKeptAddress({
    dataDir: init.dataDir, warn: (text) => log.warn(text),
    elsewhere: () => `delete ${join(init.dataDir, API_ADDRESS_FILE)} and switch Notebook › Local API for scripts off and on again: it then takes a free port`,
  }, async (address) => {
    const api = new HttpApi({ ...address, token, routes: operationRoutes(service), events: eventFeed(service), ui: null, log });
    const url = await api.start();
    localApi = api;
    return url;
  });
}

/** stop ends the subscriptions and the local API, stops the peer gently (a leader hands over first), and says so. */
async function stop(): Promise<void> {
  for (const unsubscribe of subscriptions.values()) unsubscribe();
  subscriptions.clear();
  await localApi?.stop().catch(() => {});
  await service.stop().catch((error: unknown) => log.error('while stopping', error));
  post({ type: 'stopped' });
}

/** followSummary tells the main thread the peer's summary whenever it changes. */
function followSummary(): void {
  const summary: PeerSummary = { hasNotebook: false, offline: false, pending: 0 };
  let told = '';
  eventFeed(service)((event) => {
    if (event.event === 'status') {
      summary.hasNotebook = event.data.notebook !== null;
      summary.offline = event.data.isolated;
    } else if (event.event === 'notes') {
      summary.pending = event.data.pending.length;
    }
    const now = `${summary.hasNotebook} ${summary.offline} ${summary.pending}`;
    if (now === told) return;
    told = now;
    post({ type: 'summary', summary: { ...summary } });
  });
}

service.start().then(() => post({ type: 'ready', peerId: service.id }), (error: Error) => post({ type: 'start-failed', message: error.message }));

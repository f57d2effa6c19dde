// `raftnotes serve`: one peer without a window. It starts the service on its
// data directory (creating or joining a notebook on a first run when told),
// serves the local API, prints one JSON ready line, and stops gently on
// SIGINT or SIGTERM, when its storage fails, or (--exit-with-parent) when the
// process that started it is gone.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventFeed } from '../core/api/events.ts';
import { listenAtKeptAddress } from '../core/api/http/api-address.ts';
import { HttpApi, operationRoutes } from '../core/api/http/http-api.ts';
import { loadOrCreateToken } from '../core/service/data-dir.ts';
import type { Logger } from '../core/service/logger.ts';
import { limitHeapGrowth, releaseMemoryWhenQuiet } from '../core/service/memory-release.ts';
import { NotesService } from '../core/service/notes-service.ts';
import { writeFileDurably } from '../core/storage/index.ts';
import { ListenError } from '../core/net/index.ts';
import type { ServeArgs } from './args.ts';
import { checkFirstRunFlags } from './first-run-flags.ts';
import { ADDRS_FILE } from './invite.ts';
import { PARENT_GONE_MESSAGE, watchParent } from './parent-watch.ts';

/** serve runs a peer until it is stopped and returns the exit code. */
export async function serve(args: ServeArgs, log: Logger): Promise<number> {
  await checkFirstRunFlags(args);
  const parentGone = args.exitWithParent ? watchParent() : null;
  const service = new NotesService({
    dataDir: args.dataDir, peers: args.peers, mdns: args.mdns, maxVoters: args.maxVoters, snapshotEvery: args.snapshotEvery, tickMs: args.tickMs, lab: args.lab,
    ...(args.name !== undefined ? { name: args.name } : {}), ...(args.listen !== undefined ? { listen: args.listen } : {}),
  });
  const peerLog = log.child('peer');
  service.addEventListener('log', (evt) => peerLog.info(`${service.name}: ${evt.detail.text}`));
  limitHeapGrowth();
  const stopReleasing = releaseMemoryWhenQuiet(service, 'notes');
  // A start refused before the ready line leaves a directory that was missing or empty as it was: never half made.
  const fresh = freshDir(args.dataDir);
  let api: HttpApi;
  let url: string;
  let token: string;
  try {
    await service.start();
    if (service.notebook === null) {
      if (args.create !== undefined) await service.createNotebook(args.create);
      else if (args.invite !== undefined) await service.joinNotebook(args.invite);
    }
    token = await loadOrCreateToken(args.dataDir);
    url = await listenAtKeptAddress({
      dataDir: args.dataDir, explicit: args.api, explicitName: '--api', warn: (message) => log.warn(message),
      elsewhere: (host) => `pass --api ${host}:<port> for another port (port 0 picks a free one)`,
    }, (address) => {
      api = new HttpApi({ ...address, token, routes: operationRoutes(service), events: eventFeed(service), log: log.child('api') });
      return api.start();
    });
  } catch (error) {
    stopReleasing();
    await service.stop().catch(() => {});
    if (fresh !== null) undoFresh(args.dataDir, fresh);
    if (error instanceof ListenError) {
      throw new Error(`${error.message} Choose another address with --listen (e.g. --listen /ip4/0.0.0.0/tcp/0 takes any free port).`);
    }
    throw error;
  }
  const addrs = service.addrs();
  if (addrs.length > 0) writeFileDurably(args.dataDir, ADDRS_FILE, [Buffer.from(JSON.stringify(addrs))], 0o600);
  const notebook = service.notebook;
  const ready = `${JSON.stringify({ event: 'ready', peerId: service.id, addrs, api: url, token,
    notebook: notebook === null ? null : { id: notebook.id, name: notebook.name } })}\n`;

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) process.exit(code === 0 ? 130 : code);
      stopping = true;
      void (async () => {
        stopReleasing();
        await api.stop().catch(() => {});
        await service.stop().catch((error: unknown) => log.error('while stopping', error));
        resolve(code);
      })();
    };
    process.on('SIGINT', () => stop(0));
    process.on('SIGTERM', () => stop(0));
    // The same graceful stop as SIGTERM; a stop already under way is left to finish.
    void parentGone?.then(() => {
      if (stopping) return;
      log.warn(PARENT_GONE_MESSAGE);
      stop(0);
    });
    service.addEventListener('fatal', (evt) => {
      log.error(evt.detail.message);
      stop(1);
    });
    // Ready once the signals stop it gently: whoever reads this line may send SIGTERM at once.
    process.stdout.write(ready);
  });
}

/** freshDir tells whether `dir` is missing or empty ('missing' | 'empty'), or null when it holds anything. */
function freshDir(dir: string): 'missing' | 'empty' | null {
  if (!existsSync(dir)) return 'missing';
  try {
    return readdirSync(dir).length === 0 ? 'empty' : null;
  } catch {
    return null; // not a directory, or not readable: the start says so, and nothing is removed
  }
}

/** undoFresh brings a data directory that was `fresh` back to it: removed again, or emptied. */
function undoFresh(dir: string, fresh: 'missing' | 'empty'): void {
  if (fresh === 'missing') rmSync(dir, { recursive: true, force: true });
  else for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

// The `raftnotes` command: a peer without a window (DESIGN.md §4).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiEvents, apiRoutes } from '../core/api/operations.ts';
import { parseCommandLine, USAGE, UsageError, type ServeArgs } from './args.ts';
import { loadOrCreateToken } from '../core/service/data-dir.ts';
import { HttpApi } from '../core/api/http/http-api.ts';
import { runDemo } from '../demo/command.ts';
import { writeFileDurably } from '../core/storage/index.ts';
import { NotesService } from '../core/service/notes-service.ts';
import { PARENT_GONE_MESSAGE, watchParent } from './parent-watch.ts';
import { formatInvite, readNotebookFile, loadOrCreatePeerKey } from '../core/net/index.ts';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';

const ADDRS_FILE = 'last-addrs.json';

/** main runs the command line and returns the process exit code (serve runs until a signal). */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`raftnotes: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  try {
    switch (args.command) {
      case 'help':
        console.log(USAGE);
        return 0;
      case 'invite':
        return await printInvite(args.dataDir);
      case 'serve':
        return await serve(args);
      case 'demo':
        return await runDemo(args);
    }
  } catch (error) {
    console.error(`raftnotes: ${(error as Error).message}`);
    return 1;
  }
}

async function printInvite(dataDir: string): Promise<number> {
  const notebook = await readNotebookFile(dataDir);
  if (notebook === null) {
    console.error(`raftnotes: ${dataDir} holds no notebook yet; start it with raftnotes serve --data ${dataDir} --create <name>.`);
    return 1;
  }
  const peerId = peerIdFromPrivateKey(await loadOrCreatePeerKey(dataDir)).toString();
  let addrs: string[] = [];
  try {
    addrs = JSON.parse(await readFile(join(dataDir, ADDRS_FILE), 'utf8')) as string[];
  } catch {
    // never served yet: peers find it by mDNS alone
  }
  console.log(formatInvite({ notebook, peerId, addrs }));
  return 0;
}

async function serve(args: ServeArgs): Promise<number> {
  const parentGone = args.exitWithParent ? watchParent() : null;
  const service = new NotesService({
    dataDir: args.dataDir, peers: args.peers, mdns: args.mdns, maxVoters: args.maxVoters, snapshotEvery: args.snapshotEvery, tickMs: args.tickMs,
    ...(args.name !== undefined ? { name: args.name } : {}), ...(args.listen !== undefined ? { listen: args.listen } : {}),
  });
  service.addEventListener('log', (evt) => console.error(`${new Date().toISOString()} ${service.name}: ${(evt as CustomEvent<string>).detail}`));
  await service.start();
  if (service.notebook === null) {
    if (args.create !== undefined) await service.createNotebook(args.create);
    else if (args.invite !== undefined) await service.joinNotebook(args.invite);
  }
  const token = await loadOrCreateToken(args.dataDir);
  const api = new HttpApi({ ...args.api, token, routes: apiRoutes(service), events: apiEvents(service) });
  const url = await api.start();
  const addrs = service.addrs();
  if (addrs.length > 0) writeFileDurably(args.dataDir, ADDRS_FILE, [Buffer.from(JSON.stringify(addrs))], 0o600);
  const notebook = service.notebook;
  process.stdout.write(`${JSON.stringify({ event: 'ready', peerId: service.id, addrs, api: url, token,
    notebook: notebook === null ? null : { id: notebook.id, name: notebook.name } })}\n`);

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) {
        process.exit(code === 0 ? 130 : code);
      }
      stopping = true;
      void (async () => {
        await api.stop().catch(() => {});
        await service.stop().catch((error) => console.error('raftnotes: while stopping:', error));
        resolve(code);
      })();
    };
    process.on('SIGINT', () => stop(0));
    process.on('SIGTERM', () => stop(0));
    // The same graceful stop as SIGTERM; a stop already under way is left to finish.
    void parentGone?.then(() => {
      if (stopping) return;
      console.error(PARENT_GONE_MESSAGE);
      stop(0);
    });
    service.addEventListener('fatal', (evt) => {
      console.error(`raftnotes: ${(evt as CustomEvent<Error>).detail.message}`);
      stop(1);
    });
  });
}

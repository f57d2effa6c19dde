// The two ways a page talks to its peer, for running one page scenario over
// both: HTTP (a real `raftnotes serve` process per peer serves the page, its
// API and its event stream) and IPC (the desktop app's renderer over
// `window.raftnotes`, to an IpcAdapter on a NotesService in the test process;
// test/ui/ipc-page.ts). The test's own checks go through each peer's local
// HTTP API either way (the app's local API for scripts, for an in-process peer).
import type { Browser, Page } from 'playwright';
import { IpcAdapter } from '../../core/api/ipc/ipc-adapter.ts';
import { startCluster } from '../cluster/cluster-helpers.ts';
import { killAll, removeDirs, type ApiAnswer, type PeerProcess } from '../cluster/peer-process.ts';
import { ServicePeer, startServiceCluster, stopAllServices } from '../cluster/service-peer.ts';
import { IPC_ORIGIN, openIpcPage } from './ipc-page.ts';
import { openPeerPage, type PageProblems } from './ui-helpers.ts';

/** UiPeer is what a page scenario needs of a peer, whatever carries its page's calls. */
export interface UiPeer {
  readonly name: string;
  readonly running: boolean;
  /** api calls the peer's local HTTP API with its token. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** kill makes the peer vanish for the others at once: SIGKILL for a process; an in-process peer is cut off for good instead (ServicePeer.kill). */
  kill(): Promise<void>;
}

/** Hold keeps back the answers to a page's calls until released. */
export interface Hold {
  release(): void;
  /** Settles once a held answer went to the page. */
  answered: Promise<void>;
  /** stop lets later calls through unheld. */
  stop(): Promise<void>;
}

/** UiPage is a peer's page and what it reported as broken. */
export interface UiPage {
  page: Page;
  problems: PageProblems;
  /** holdAddNoteAnswers holds the answer to each note the page adds (the POST, or the addNote call) until released. */
  holdAddNoteAnswers(): Promise<Hold>;
}

/** UiTransport starts peers of one kind and opens their pages. */
export interface UiTransport {
  name: 'HTTP' | 'IPC';
  /** startCluster starts A with the notebook "Team notes", then B and C with its invite code. */
  startCluster(): Promise<UiPeer[]>;
  openPage(browser: Browser, peer: UiPeer, viewport?: { width: number; height: number }): Promise<UiPage>;
  /** cleanup stops every peer this transport started and removes the temporary folders. */
  cleanup(): Promise<void>;
}

/** HTTP_TRANSPORT: peers in their own processes, each page served by its peer. */
export const HTTP_TRANSPORT: UiTransport = {
  name: 'HTTP',
  startCluster: () => startCluster(),
  async openPage(browser, peer, viewport) {
    const { page, problems } = await openPeerPage(browser, peer as PeerProcess, viewport);
    return {
      page, problems,
      async holdAddNoteAnswers() {
        const hold = holder();
        const notesUrl = (url: URL) => url.pathname === '/api/notes';
        await page.route(notesUrl, async (route) => {
          if (route.request().method() !== 'POST') return route.fallback();
          const answer = await route.fetch();
          await hold.held;
          await route.fulfill({ response: answer });
          hold.answer();
        });
        return { release: hold.release, answered: hold.answered, stop: () => page.unroute(notesUrl) };
      },
    };
  },
  async cleanup() {
    await killAll();
    await removeDirs();
  },
};

const adapters = new WeakMap<ServicePeer, IpcAdapter>();

/** adapterOf is the one IpcAdapter of an in-process peer (the main process makes one per peer), for pages of IPC_ORIGIN. */
function adapterOf(peer: ServicePeer): IpcAdapter {
  let adapter = adapters.get(peer);
  if (adapter === undefined) {
    adapter = new IpcAdapter({ service: peer.service, origin: IPC_ORIGIN });
    adapters.set(peer, adapter);
  }
  return adapter;
}

/** IPC_TRANSPORT: peers in the test process, each page the app's renderer over its peer's bridge. */
export const IPC_TRANSPORT: UiTransport = {
  name: 'IPC',
  startCluster: () => startServiceCluster(),
  async openPage(browser, peer, viewport) {
    const opened = await openIpcPage(browser, adapterOf(peer as ServicePeer), { name: peer.name, ...(viewport ? { viewport } : {}) });
    return {
      page: opened.page, problems: opened.problems,
      async holdAddNoteAnswers() {
        const hold = holder();
        opened.intercept(async (name, _input, answer) => {
          if (name !== 'addNote') return answer();
          const result = await answer();
          await hold.held;
          hold.answer();
          return result;
        });
        return { release: hold.release, answered: hold.answered, stop: async () => opened.intercept(null) };
      },
    };
  },
  async cleanup() {
    await stopAllServices();
    await removeDirs();
  },
};

/** UI_TRANSPORTS are both, for describe.each. */
export const UI_TRANSPORTS: UiTransport[] = [HTTP_TRANSPORT, IPC_TRANSPORT];

function holder() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => { answer = resolve; });
  return { held, release, answered, answer };
}

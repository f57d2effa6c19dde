// The desktop app's window without Electron: the built renderer in Chromium,
// served by the app's own protocol handler (app/main/app-protocol.ts: the same
// files, headers and Content-Security-Policy) through Playwright's routing, with
// a `window.raftnotes` installed before the page's scripts that does what the
// preload does. Each call goes through a Playwright binding to an IpcAdapter in
// the test process with the URL of the frame that made it, as the main process
// passes `event.senderFrame.url` (so the adapter's origin check runs for real),
// and the adapter's events are pushed back to the page's subscribers in order.
//
// Chromium will not load app:// URLs that only Playwright answers, so the pages
// live at https://raftnotes/ (a secure context, as app:// is in the app).
import type { Browser, Frame, Page } from 'playwright';
import { APP_ORIGIN, appProtocolHandler } from '../../app/main/app-protocol.ts';
import type { ApiEvent } from '../../core/api/events.ts';
import type { IpcResult } from '../../core/api/ipc/bridge-types.ts';
import { IPC_OPERATIONS } from '../../core/api/ipc/channels.ts';
import type { IpcAdapter } from '../../core/api/ipc/ipc-adapter.ts';
import { RENDERER_DIST } from '../../core/paths.ts';
import type { PageProblems } from './ui-helpers.ts';

/** IPC_ORIGIN is where the test serves the app's pages; give it to the IpcAdapter as its origin. */
export const IPC_ORIGIN = 'https://raftnotes';

/** Interceptor sees each call of the page before the adapter answers it: `answer` runs it (a test may hold its result back). */
export type Interceptor = (name: string, input: unknown, answer: () => Promise<IpcResult<unknown>>) => Promise<IpcResult<unknown>>;

/** IpcPage is a page of the app's renderer talking to a peer over the bridge. */
export interface IpcPage {
  page: Page;
  problems: PageProblems;
  /** intercept puts `interceptor` between the page and the adapter (null takes it away). */
  intercept(interceptor: Interceptor | null): void;
}

/** IpcPageInit says which peer the page belongs to and where it is served from. */
export interface IpcPageInit {
  /** Names the page in its problems. */
  name: string;
  viewport?: { width: number; height: number };
  /** The origin the page is served from; default IPC_ORIGIN. Another origin is refused by an adapter of IPC_ORIGIN. */
  origin?: string;
}

const serveAppFile = appProtocolHandler(RENDERER_DIST);
const APP_HOST = new URL(APP_ORIGIN).host;

/** openIpcPage opens the renderer's index.html in a new page whose `window.raftnotes` forwards to `adapter`, and records its errors. */
export async function openIpcPage(browser: Browser, adapter: IpcAdapter, init: IpcPageInit): Promise<IpcPage> {
  const origin = init.origin ?? IPC_ORIGIN;
  const page = await browser.newPage({ viewport: init.viewport ?? { width: 1280, height: 900 } });
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`${init.name}: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.errors.push(`${init.name}: ${msg.text()}`);
  });

  // The built files, from wherever the page is served: the app's handler answers for its own host only.
  await page.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    url.protocol = 'app:';
    url.host = APP_HOST;
    const res = await serveAppFile(new Request(url, { method: route.request().method() }));
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => { headers[key] = value; });
    await route.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
  });

  let interceptor: Interceptor | null = null;
  await page.exposeBinding('__raftnotesInvoke', async ({ frame }: { frame: Frame }, name: string, input: unknown) => {
    const answer = () => adapter.invoke(name, frame.url(), input);
    return interceptor === null ? answer() : interceptor(name, input, answer);
  });

  // One subscription per page, as the main process keeps one per webContents: a new one replaces the last.
  let subscription: (() => void) | null = null;
  const unsubscribe = () => {
    subscription?.();
    subscription = null;
  };
  await page.exposeBinding('__raftnotesSubscribe', ({ frame }: { frame: Frame }) => {
    unsubscribe();
    const push = orderedPusher(frame);
    const stop = adapter.subscribe(frame.url(), push.send);
    if (stop !== null) subscription = () => { stop(); push.close(); };
  });
  await page.exposeBinding('__raftnotesUnsubscribe', () => unsubscribe());
  page.on('close', unsubscribe);

  await page.addInitScript(installBridge, [...IPC_OPERATIONS]);
  await page.goto(`${origin}/index.html`);
  return { page, problems, intercept: (next) => { interceptor = next; } };
}

/**
 * orderedPusher delivers events to the page's `__raftnotesEvents` one batch at
 * a time, in the order the adapter sent them: the events that arrive while a
 * batch is on its way go in the next one. A page that closed loses its
 * events, as a destroyed webContents does.
 */
function orderedPusher(frame: Frame): { send: (event: ApiEvent) => void; close: () => void } {
  let queue: ApiEvent[] = [];
  let pushing = false;
  let closed = false;
  const flush = async () => {
    pushing = true;
    while (queue.length > 0 && !closed) {
      const batch = queue;
      queue = [];
      await frame.evaluate((events) => (globalThis as unknown as { __raftnotesEvents(e: unknown[]): void }).__raftnotesEvents(events), batch)
        .catch(() => { closed = true; });
    }
    pushing = false;
  };
  return {
    send: (event) => {
      if (closed) return;
      queue.push(event);
      if (!pushing) void flush();
    },
    close: () => { closed = true; },
  };
}

/**
 * installBridge runs in the page before its scripts (an init script, so the
 * page's CSP does not apply) and builds `window.raftnotes` as the preload
 * does: one function per operation, and subscribe. It must not close over
 * anything: Playwright sends its source to the page.
 */
function installBridge(operations: string[]): void {
  // The bindings are looked up at each call: Playwright may define them after this script runs.
  const call = (binding: string, ...args: unknown[]) => (globalThis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[binding]!(...args);
  const listeners = new Set<(event: unknown) => void>();
  Object.defineProperty(globalThis, '__raftnotesEvents', {
    value: (events: unknown[]) => {
      for (const event of events) for (const listener of [...listeners]) listener(event);
    },
  });
  const bridge: Record<string, unknown> = {};
  for (const name of operations) bridge[name] = (input: unknown) => call('__raftnotesInvoke', name, input);
  bridge['subscribe'] = (listener: (event: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
    listeners.add(listener);
    void call('__raftnotesSubscribe');
    return () => {
      listeners.delete(listener);
      void call('__raftnotesUnsubscribe');
    };
  };
  Object.defineProperty(globalThis, 'raftnotes', { value: Object.freeze(bridge), enumerable: true });
}

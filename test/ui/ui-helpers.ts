// Helpers for browser tests of the web UI a peer serves: build the renderer
// when its output is missing or older than its sources (test/build-setup.ts
// does, once), and launch Debian's Chromium through playwright-core.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import type { PeerProcess } from '../cluster/peer-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(ROOT, 'renderer');
const BUILT = join(ROOT, 'dist', 'renderer', 'index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** ensureRendererBuilt runs `npm run build:renderer` unless dist/renderer is newer than every file of renderer/. */
export function ensureRendererBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(SOURCES)) return;
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'],
    { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build:renderer failed:\n${result.stdout}\n${result.stderr}`);
}

/** CHROMIUM_ARGS keep Debian's Chromium quiet and working as root in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

/** launchBrowser starts Debian's Chromium (apt-get install chromium). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** PageProblems collects what a page reported as broken: uncaught errors and console errors (CSP violations among them). */
export interface PageProblems {
  errors: string[];
}

/** openPeerPage opens the UI a peer serves at `/` in a new page and records its errors. */
export async function openPeerPage(browser: Browser, peer: PeerProcess, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport });
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`${peer.name}: ${error.message}`));
  page.on('console', (msg) => {
    // A stopped peer makes the event stream's fetch fail in the console; that is expected, everything else is not.
    if (msg.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED/.test(msg.text())) {
      problems.errors.push(`${peer.name}: ${msg.text()}`);
    }
  });
  await page.goto(`${peer.ready!.api}/`);
  return { page, problems };
}

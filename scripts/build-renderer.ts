// The web pages' build (`npm run build:renderer`, Vite into dist/renderer),
// run only when the output is missing or older than one of its sources: the
// tests' global setup and `npm start` call it before they serve the pages.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The pages' sources, and what they bundle from outside renderer/: the client and the API's types and note columns. */
const SOURCES = ['renderer', 'client', join('core', 'api')].map((dir) => join(ROOT, dir));
const BUILT = join(ROOT, 'dist', 'renderer', 'index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** ensureRendererBuilt runs `npm run build:renderer` unless dist/renderer is newer than every file of its sources. */
export function ensureRendererBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= Math.max(...SOURCES.map(newestSource))) return;
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'],
    { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build:renderer failed:\n${result.stdout}\n${result.stderr}`);
}

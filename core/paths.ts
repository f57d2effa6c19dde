// Where the files of the installed package are: its root (the folder with the
// package.json named "raftnotes"), the built web UI and the `raftnotes`
// command. Found by walking up from this module, so the answer is the same
// from the TypeScript sources, from the bundled command (dist/cli/) and from a
// packaged app, whatever depth the running file sits at.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packageRoot is the nearest folder above `from` whose package.json is named "raftnotes". */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isRaftnotes(manifest)) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "raftnotes" above ${from}; is the installation complete?`);
  }
}

function isRaftnotes(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'raftnotes';
  } catch {
    return false;
  }
}

/** PACKAGE_ROOT is the installed package's folder. */
export const PACKAGE_ROOT = packageRoot();

/** RENDERER_DIST is where `npm run build:renderer` writes the web UI. */
export const RENDERER_DIST = join(PACKAGE_ROOT, 'dist', 'renderer');

/** RAFTNOTES_BIN is the command users run (bin/raftnotes.js); the demo starts its peers through it. */
export const RAFTNOTES_BIN = join(PACKAGE_ROOT, 'bin', 'raftnotes.js');

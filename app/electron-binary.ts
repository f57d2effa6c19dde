// Where the Electron binary that runs the desktop app is, or why there is
// none. Electron-free (the `electron` package's main export is only the
// binary's path in plain Node), so `npm start` can ask before choosing between
// the desktop app and the headless peer. The order is the electron package's
// own: ELECTRON_OVERRIDE_DIST_PATH, a folder holding the binary, wins over the
// copy the package's install script downloads from github.com into
// node_modules/electron/dist. `npm install` does not run that script
// (package.json allowScripts: a machine without github.com must still
// install); `npm start` runs it the first time it needs the binary
// (downloadElectronBinary), and falls back to the headless peer when that
// fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** ElectronBinary is the binary's path and where it was found, or the reason there is none, said to the user. */
export type ElectronBinary =
  | { ok: true; path: string; source: 'ELECTRON_OVERRIDE_DIST_PATH' | 'electron package' }
  | { ok: false; reason: string };

/** ElectronLookupInit replaces what the lookup reads, for tests. */
export interface ElectronLookupInit {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Returns the electron package's main export: the binary's path; it throws when the binary was never downloaded. */
  requireElectron?: () => unknown;
  exists?: (path: string) => boolean;
}

/** executableName is the binary's path inside an Electron folder, as the electron package's install script names it. */
export function executableName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

const requireFromHere = createRequire(import.meta.url);

/** NOT_DOWNLOADED is the reason when the electron package is installed but its binary was never downloaded (downloadElectronBinary may fetch it). */
export const NOT_DOWNLOADED = "the electron package's download from github.com did not run or failed; ELECTRON_OVERRIDE_DIST_PATH=<folder> names a binary";

/** findElectronBinary looks for the Electron binary in ELECTRON_OVERRIDE_DIST_PATH, then in the electron package. */
export function findElectronBinary(init: ElectronLookupInit = {}): ElectronBinary {
  const env = init.env ?? process.env;
  const exists = init.exists ?? existsSync;
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override !== undefined && override !== '') {
    const name = executableName(init.platform ?? process.platform);
    const path = join(override, name);
    // No falling back to the package's copy: the user named this folder, and another binary would hide the mistake.
    if (!exists(path)) return { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is ${override}, which holds no ${name}` };
    return { ok: true, path, source: 'ELECTRON_OVERRIDE_DIST_PATH' };
  }
  let path: unknown;
  try {
    path = (init.requireElectron ?? (() => requireFromHere('electron')))();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      return { ok: false, reason: 'the electron package is not installed (npm install installs it)' };
    }
    // "Electron failed to install correctly": the package is there, the binary its install script downloads is not.
    return { ok: false, reason: NOT_DOWNLOADED };
  }
  if (typeof path !== 'string' || !exists(path)) return { ok: false, reason: `the electron package names ${String(path)}, which is missing (reinstall the electron package)` };
  return { ok: true, path, source: 'electron package' };
}

/** DOWNLOAD_TIMEOUT_MS bounds the binary's download (about 100 MB). */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * downloadElectronBinary runs the electron package's install script, which
 * downloads the binary from github.com into the package; it returns null when
 * the binary is there afterwards, else why not (in one line).
 */
export function downloadElectronBinary(say: (line: string) => void): string | null {
  let script: string;
  try {
    script = join(dirname(requireFromHere.resolve('electron/package.json')), 'install.js');
  } catch {
    return 'the electron package is not installed (npm install installs it)';
  }
  say('downloading Electron from github.com (once)…');
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: DOWNLOAD_TIMEOUT_MS, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' } });
  if (result.status === 0) return null;
  const why = `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n').find((l) => /Error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(l))?.trim();
  return `the download of Electron from github.com failed${why === undefined ? '' : ` (${why.slice(0, 160)})`}`;
}

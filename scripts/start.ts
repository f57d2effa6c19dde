// `npm start`: builds what is stale and starts the desktop app, Electron on
// this folder (`electron . --profile NAME`). Where no Electron binary can be
// had (app/electron-binary.ts says why), it says so in one line and runs the
// same peer headless on the same data directory, with its page in a Chromium
// app window or the default browser (scripts/start-headless.ts).
//
//   npm start [-- --profile <name>] [-- --no-open]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { downloadElectronBinary, findElectronBinary, NOT_DOWNLOADED } from '../app/electron-binary.ts';
import { checkProfileName, DEFAULT_PROFILE, ProfileError, profileDataDir, userDataDir } from '../app/profiles.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';
import { stop as stopEsbuild } from 'esbuild';
import { buildApp } from './build-app.ts';
import { ensureCliBundle } from './build-cli.ts';
import { ensureRendererBuilt } from './build-renderer.ts';
import { runElectron } from './start-electron.ts';
import { runHeadless } from './start-headless.ts';

/** USAGE is printed by --help and after a refused command line. */
export const USAGE = `Usage: npm start [-- [--profile <name>] [--no-open]]

Builds what changed and starts the Raftnotes desktop app (Electron). Without an Electron binary it runs
the same peer headless, on the same data directory, and opens its page in a Chromium app window or the
default browser; Ctrl-C stops it.

  --profile <name>   a peer of its own (data directory and window) for this name, e.g. two profiles for a
                     partition demo on one machine; letters, digits, "-" and "_" (default: the default profile)
  --no-open          without Electron: open no window or browser, only print the page's URL
                     (RAFTNOTES_NO_OPEN=1 does the same)

  ELECTRON_OVERRIDE_DIST_PATH=<folder>   run the Electron binary in that folder
  CHROMIUM_PATH=<file>                   the Chromium or Chrome for the app window (default: found on PATH)`;

/** StartArgs is a checked `npm start` command line. */
export interface StartArgs {
  help: boolean;
  profile: string;
  open: boolean;
}

/** UsageError says what is wrong with the command line; it is printed with the usage. */
export class UsageError extends Error {
  static override name = 'UsageError';
  override name = 'UsageError';
}

/** parseStartArgs checks the flags after `npm start --`. */
export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): StartArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: { profile: { type: 'string' }, 'no-open': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let profile = DEFAULT_PROFILE;
  try {
    if (values.profile !== undefined) profile = checkProfileName(values.profile);
  } catch (error) {
    if (error instanceof ProfileError) throw new UsageError(error.message);
    throw error;
  }
  return { help: values.help === true, profile, open: values['no-open'] !== true && env['RAFTNOTES_NO_OPEN'] !== '1' };
}

/** say tells the person who ran `npm start` what is happening, one line on stdout. */
function say(line: string): void {
  process.stdout.write(`raftnotes: ${line}\n`);
}

/** main runs `npm start` with the flags after `--` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: StartArgs;
  try {
    args = parseStartArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`raftnotes: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let electron = findElectronBinary();
  // The package is there but its binary was never downloaded (npm install does not run its script): try once now.
  if (!electron.ok && electron.reason === NOT_DOWNLOADED) {
    const failed = downloadElectronBinary(say);
    electron = failed === null ? findElectronBinary() : { ok: false, reason: failed };
  }
  try {
    // The pages serve both ways; the command bundle runs the headless peer; the app bundle runs in Electron.
    ensureRendererBuilt();
    if (electron.ok) await buildApp();
    else await ensureCliBundle();
  } catch (error) {
    process.stderr.write(`raftnotes: the build failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    // esbuild's service process has done its work: it must not outlive the build (nor linger after this command).
    await stopEsbuild();
  }
  if (electron.ok) {
    return runElectron(electron.path, PACKAGE_ROOT, args.profile === DEFAULT_PROFILE ? [] : ['--profile', args.profile], say);
  }
  say(`no Electron binary (${electron.reason}); running the peer headless instead`);
  const userData = userDataDir();
  return runHeadless({
    profile: args.profile, dataDir: profileDataDir(userData, args.profile),
    windowDataDir: join(userData, 'app-window', args.profile), open: args.open, say,
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(await main(process.argv.slice(2)));
}

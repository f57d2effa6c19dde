// Profiles: one machine, several peers. `--profile NAME` gives the desktop app
// a folder of its own (Electron's `userData`, which holds its single-instance
// lock, and the peer's data directory inside it), so a speaker can run several
// windows for a partition demo; the default profile lives in the app's user
// data folder itself. Electron-free, so the headless fallback of `npm start`
// finds the same folders.
//
//   <userData>/notebook/                      the default profile's data directory
//   <userData>/profiles/<NAME>/               profile NAME's own userData
//   <userData>/profiles/<NAME>/notebook/      its data directory
import { homedir } from 'node:os';
import { join } from 'node:path';

/** PRODUCT_NAME names the app's user data folder (electron-builder's productName, Electron's app name). */
export const PRODUCT_NAME = 'Raftnotes';

/** DEFAULT_PROFILE is the profile used without --profile. */
export const DEFAULT_PROFILE = 'default';

/** ProfileError says a profile name cannot be used, and what to use instead. */
export class ProfileError extends Error {
  static override name = 'ProfileError';
  override name = 'ProfileError';
}

/** checkProfileName returns `name` when it can name a folder on every OS: 1 to 40 letters, digits, '-' or '_'. */
export function checkProfileName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(name)) {
    throw new ProfileError(`--profile ${JSON.stringify(name)}: use 1 to 40 letters, digits, "-" or "_", e.g. --profile demo-a.`);
  }
  return name;
}

/** profileUserData is the folder Electron keeps `profile`'s own state in (userData): its lock, window state, settings. */
export function profileUserData(userData: string, profile: string): string {
  return profile === DEFAULT_PROFILE ? userData : join(userData, 'profiles', checkProfileName(profile));
}

/** profileDataDir is the peer's data directory of `profile` under the app's user data folder. */
export function profileDataDir(userData: string, profile: string): string {
  return join(profileUserData(userData, profile), 'notebook');
}

/** profileFromArgs reads `--profile NAME` or `--profile=NAME` from a command line; the default profile without it. */
export function profileFromArgs(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile') {
      const value = argv[i + 1];
      if (value === undefined) throw new ProfileError('--profile needs a name, e.g. --profile demo-a.');
      return checkProfileName(value);
    }
    if (arg.startsWith('--profile=')) return checkProfileName(arg.slice('--profile='.length));
  }
  return DEFAULT_PROFILE;
}

/**
 * userDataDir is where Electron keeps `userData` for PRODUCT_NAME on this OS
 * (app.getPath('appData') + the app name), for code that runs without Electron.
 */
export function userDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), PRODUCT_NAME);
}

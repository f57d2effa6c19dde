// The desktop app's settings, in the profile's userData (settings.json):
// today one, whether the local HTTP API runs for scripts (off: the app opens
// no TCP port but the peer's own libp2p one). Electron-free.
import { readFileSync } from 'node:fs';
import { writeFileDurably } from '../../core/storage/index.ts';

/** SETTINGS_FILE is the settings' file in the profile's userData. */
export const SETTINGS_FILE = 'settings.json';

/** Settings are the app's settings. */
export interface Settings {
  /** Serve the local HTTP API on 127.0.0.1 (with the token in the data directory's api-token) for scripts. */
  localApi: boolean;
}

/** DEFAULT_SETTINGS are the settings of a new profile. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({ localApi: false });

/** readSettings reads the settings of `dir`; a missing or damaged file gives the defaults. */
export function readSettings(dir: string): Settings {
  try {
    const value = JSON.parse(readFileSync(`${dir}/${SETTINGS_FILE}`, 'utf8')) as Partial<Settings>;
    return { localApi: typeof value.localApi === 'boolean' ? value.localApi : DEFAULT_SETTINGS.localApi };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** writeSettings stores the settings in `dir`. */
export function writeSettings(dir: string, settings: Settings): void {
  writeFileDurably(dir, SETTINGS_FILE, [Buffer.from(JSON.stringify(settings))], 0o600);
}

// How `npm start` without Electron shows the peer's page: in a Chromium
// `--app` window (no tabs, no address bar: the nearest thing to the desktop
// app's window) when a Chromium or Chrome is installed, else in the default
// browser (xdg-open, open, start).
//
// The app window runs on a Chromium profile of its own, one per Raftnotes
// profile, kept between runs (`windowDataDir`, beside the data directories,
// never inside one: a browser cache is no part of a notebook). Of its own,
// because Chromium hands a URL to a Chromium already running on the same
// profile and exits at once: the window would then belong to the user's
// browser, and its closing could not be seen. Kept, so the window opens where
// it was last put, as a desktop app's does.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** CHROMIUM_NAMES are the commands of Chromium and Chrome on Linux, in the order they are looked for on PATH. */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** findChromium is CHROMIUM_PATH when set, else the first Chromium or Chrome on PATH, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env['CHROMIUM_PATH'];
  if (override !== undefined && override !== '') return existsSync(override) ? override : null;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of CHROMIUM_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** OpenPageInit says what to open and where the app window keeps its Chromium profile. */
export interface OpenPageInit {
  url: string;
  windowDataDir: string;
  say: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** openPage shows `url` and returns the app window's process (it exits when the window closes), or null when there is none to watch. */
export function openPage(init: OpenPageInit): ChildProcess | null {
  const env = init.env ?? process.env;
  const platform = init.platform ?? process.platform;
  const desktop = platform === 'darwin' || platform === 'win32';
  // Over SSH or in a container xdg-open would start a text browser in this very terminal.
  if (!desktop && !env['DISPLAY'] && !env['WAYLAND_DISPLAY']) {
    init.say('no display here (DISPLAY and WAYLAND_DISPLAY are unset): open the URL in a browser on this machine.');
    return null;
  }
  const chromium = desktop ? null : findChromium(env);
  if (chromium !== null) {
    const args = [`--app=${init.url}`, `--user-data-dir=${init.windowDataDir}`, '--no-first-run', '--no-default-browser-check'];
    // Chromium refuses to start as root with its sandbox on (containers, live systems); the page is our own, served on 127.0.0.1.
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    // A process group of its own: a Ctrl-C in the terminal reaches `npm start` only, which closes the window itself.
    const window = spawn(chromium, args, { stdio: 'ignore', detached: true });
    window.once('error', (error) => init.say(`${chromium} did not start (${error.message}): open the URL in a browser.`));
    init.say(`opened in a Chromium app window (${chromium}); closing it stops the peer.`);
    return window;
  }
  const [command, args] = platform === 'darwin' ? ['open', [init.url]]
    : platform === 'win32' ? ['cmd', ['/c', 'start', '""', init.url]]
    : ['xdg-open', [init.url]];
  const opener = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
  opener.once('error', () => init.say(`${command} is not available: open the URL in a browser.`));
  opener.unref();
  init.say('opened in the default browser.');
  return null;
}

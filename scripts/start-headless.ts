// The fallback of `npm start` where no Electron binary can be had: the peer
// the desktop app would run, on the profile's data directory (the one the app
// uses), as `raftnotes serve`, with its page in a window or the browser. A
// first run of a profile starts without a notebook, and the page shows the
// first-run screen (create or join): nothing to ask here.
//
// The peer runs in a process group of its own, so a Ctrl-C in the terminal
// reaches this process only, which stops the peer with one SIGTERM (a second
// signal makes `raftnotes serve` exit at once, without stopping gently). If
// this process dies without that, the peer's stdin pipe closes and it stops
// by itself (--exit-with-parent).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RAFTNOTES_BIN } from '../core/paths.ts';
import { parseReadyLine } from '../demo/node.ts';
import { openPage } from './open-page.ts';

/** HeadlessInit is what the fallback runs and shows. */
export interface HeadlessInit {
  profile: string;
  /** The profile's data directory: profileDataDir(userDataDir(), profile). */
  dataDir: string;
  /** Where the Chromium app window keeps its own browser profile. */
  windowDataDir: string;
  /** Open the page (false: only print its URL). */
  open: boolean;
  say: (line: string) => void;
}

/** runHeadless runs the peer until a signal, the window's closing or the peer's own exit, and returns the exit code. */
export async function runHeadless(init: HeadlessInit): Promise<number> {
  const { say } = init;
  const peer = spawn(process.execPath, [RAFTNOTES_BIN, 'serve', '--data', init.dataDir, '--exit-with-parent'], {
    // stdin: the pipe --exit-with-parent watches, never written; stdout: the ready line; stderr: the peer's log, to the terminal.
    stdio: ['pipe', 'pipe', 'inherit'],
    // On Windows a detached process gets a console window of its own, and there are no signals to keep apart.
    detached: process.platform !== 'win32',
  });
  const exited = new Promise<number>((resolve) => peer.once('exit', (code) => resolve(code ?? 1)));
  // Set by the ready line's handler; declared so, or TypeScript takes it for null after the await below.
  let window = null as ChildProcess | null;
  let ready = false;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    say(why);
    window?.kill('SIGTERM');
    peer.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop('stopping the peer…'));

  // Read to the end, so the pipe never fills; only the ready line matters.
  createInterface({ input: peer.stdout! }).on('line', (line) => {
    if (ready || stopping) return;
    const event = parseReadyLine(line);
    if (event === null) return;
    ready = true;
    const url = `${event.api}/`;
    say(`Raftnotes (profile ${init.profile}) is at ${url}  (peer pid ${peer.pid}, data in ${init.dataDir}; Ctrl-C stops it)`);
    if (!init.open) return;
    window = openPage({ url, windowDataDir: init.windowDataDir, say });
    window?.once('exit', (code) => {
      if (code === 0) stop('the window was closed; stopping the peer…');
      // Killed by us (code null), or it could not show a window (no usable display, a crash): the peer stays.
      else if (code !== null && !stopping) say(`the Chromium window exited with code ${code}: open the URL above in a browser.`);
    });
  });

  const code = await exited;
  if (!stopping) say(`the peer exited with code ${code}${ready ? '' : ' before it was ready'}; its messages are above.`);
  await closeWindow(window);
  if (stopping) say(code === 0 ? 'stopped.' : `the peer stopped with exit code ${code}.`);
  return code;
}

/** closeWindow closes the app window and waits for it (5 s at most), so that nothing outlives `npm start`. */
async function closeWindow(window: ChildProcess | null): Promise<void> {
  if (window === null || window.exitCode !== null || window.signalCode !== null || window.pid === undefined) return;
  const gone = new Promise<void>((resolve) => window.once('exit', () => resolve()));
  window.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5_000); })]);
  clearTimeout(timer);
}

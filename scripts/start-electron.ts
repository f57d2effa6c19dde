// `npm start` with an Electron binary: `electron <repository> [--profile NAME]`,
// as the electron package's own `electron` command runs it (package.json's
// `main` is the bundled main process), with signals passed on and Electron's
// exit code returned.
//
// Electron runs in a process group of its own, so a Ctrl-C in the terminal
// reaches it once, from here, rather than twice (from the terminal and from
// here): the main process may take a second signal as "quit now".
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** runElectron runs `binary` on the app folder `appDir` with `args` until it exits, and returns its exit code. */
export async function runElectron(binary: string, appDir: string, args: readonly string[], say: (line: string) => void): Promise<number> {
  // ELECTRON_RUN_AS_NODE (set in some editors' terminals) would make Electron a plain Node and show no window.
  const { ELECTRON_RUN_AS_NODE: _, ...env } = process.env;
  const electron = spawn(binary, [appDir, ...args], { stdio: 'inherit', env, detached: process.platform !== 'win32' });
  const forward = (signal: NodeJS.Signals) => { electron.kill(signal); };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve) => {
      electron.once('error', (error) => {
        say(`${binary} did not start: ${error.message}`);
        resolve(1);
      });
      electron.once('exit', (code, signal) => {
        if (signal !== null) say(`Electron ended by ${signal}.`);
        resolve(code ?? 128 + (constants.signals[signal!] ?? 0));
      });
    });
  } finally {
    for (const signal of signals) process.off(signal, forward);
  }
}

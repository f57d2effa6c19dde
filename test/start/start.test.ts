import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { profileDataDir } from '../../app/profiles.ts';
import { cleanUp, isRunning, ROOT, StartProcess } from './start-process.ts';

afterEach(cleanUp);

/** fakeProgram writes an executable `dir/name` that runs `script` (JavaScript) on this Node with the program's arguments. */
function fakeProgram(dir: string, name: string, script: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.mjs`), script);
  writeFileSync(join(dir, name), `#!/bin/sh\nexec "${process.execPath}" "${join(dir, `${name}.mjs`)}" "$@"\n`);
  chmodSync(join(dir, name), 0o755);
  return join(dir, name);
}

/** record is a fake program's body that writes its arguments (and `extra`) as JSON to `file`. */
const record = (file: string, extra = '{}') =>
  `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(file)}, JSON.stringify({ argv: process.argv.slice(2), ...${extra} }));\n`;

const readJson = (file: string) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

/** noElectron is an ELECTRON_OVERRIDE_DIST_PATH without a binary: the fallback runs wherever the test does. */
const noElectron = (start: StartProcess) => ({ ELECTRON_OVERRIDE_DIST_PATH: join(start.home, 'no-electron') });

/** expectAllGone checks that no process `npm start` ran is still running. */
async function expectAllGone(pids: number[]): Promise<void> {
  for (const pid of pids) expect(await isRunning(pid), `process ${pid} still runs`).toBe(false);
}

describe('npm start', () => {
  it('runs the peer headless without an Electron binary, serves its page with the token, and stops it gently on SIGTERM', async () => {
    const start = await StartProcess.create();
    // A Chromium and a display are there, so only --no-open keeps the window shut.
    const opened = join(start.home, 'chromium.json');
    const chromium = fakeProgram(join(start.home, 'bin'), 'chromium', record(opened));
    start.run(['--no-open', '--profile', 'test-a'], { ...noElectron(start), CHROMIUM_PATH: chromium, DISPLAY: ':99' });
    const { url, peerPid } = await start.waitForPage();
    const noBinary = start.lines.filter((l) => l.includes('no Electron binary'));
    expect(noBinary).toEqual([expect.stringMatching(/^raftnotes: no Electron binary \(ELECTRON_OVERRIDE_DIST_PATH is .*no-electron, which holds no electron\); running the peer headless instead$/)]);

    // The desktop app's own data directory for the profile, inside the temporary home.
    const dataDir = profileDataDir(start.userData, 'test-a');
    expect(start.output).toContain(`data in ${dataDir}`);
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="app"></div>');
    expect(html).toContain(`<meta name="raftnotes-token" content="${token}"`);
    const status = await fetch(`${url}api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    // A first run: no notebook yet, the page shows the first-run screen.
    expect(await status.json()).toMatchObject({ notebook: null });

    const running = await start.descendants();
    expect(running).toContain(peerPid);
    expect(await start.signal('SIGTERM')).toBe(0);
    expect(existsSync(opened)).toBe(false);
    expect(start.lines.slice(-2)).toEqual(['raftnotes: stopping the peer…', 'raftnotes: stopped.']);
    await expectAllGone([start.pid, ...running]);
  });

  it('refuses an unknown flag or a bad profile name with exit code 2 and the usage, and starts nothing', async () => {
    const start = await StartProcess.create();
    start.run(['--bogus'], noElectron(start), true);
    expect(await start.exited).toBe(2);
    expect(start.output).toContain("raftnotes: Unknown option '--bogus'");
    expect(start.output).toContain('Usage: npm start');

    const again = await StartProcess.create();
    again.run(['--profile', '../escape'], noElectron(again));
    expect(await again.exited).toBe(2);
    expect(again.output).toMatch(/--profile "\.\.\/escape": use 1 to 40 letters/);
    expect(again.output).toContain('Usage: npm start');
    expect(existsSync(start.userData) || existsSync(again.userData)).toBe(false);
  });

  it('opens the page in a Chromium app window with a browser profile of its own, and stops the peer when the window closes', async () => {
    const start = await StartProcess.create();
    const seen = join(start.home, 'chromium.json');
    // The window loads the page, then closes as a user closing it would (exit code 0).
    const chromium = fakeProgram(join(start.home, 'bin'), 'chromium', `${record(seen, '{ page: await statusOf(process.argv[2]) }')}
async function statusOf(arg) { const res = await fetch(arg.slice('--app='.length)); return { status: res.status, html: await res.text() }; }\n`);
    start.run(['--profile', 'test-w'], { ...noElectron(start), CHROMIUM_PATH: chromium, DISPLAY: ':99' });
    const { url, peerPid } = await start.waitForPage();
    const running = await start.descendants();
    expect(await start.exited).toBe(0);

    const window = readJson(seen);
    expect(window.argv).toContain(`--app=${url}`);
    expect(window.argv).toContain(`--user-data-dir=${join(start.userData, 'app-window', 'test-w')}`);
    expect(window.page.status).toBe(200);
    expect(window.page.html).toContain('<div id="app"></div>');
    expect(start.output).toContain('raftnotes: the window was closed; stopping the peer…');
    await expectAllGone([peerPid, ...running]);
  });

  it('opens the page in the default browser when no Chromium is installed', async () => {
    const start = await StartProcess.create();
    const seen = join(start.home, 'xdg-open.json');
    const bin = join(start.home, 'bin');
    fakeProgram(bin, 'xdg-open', record(seen));
    // PATH holds the fake xdg-open and Node, and no Chromium.
    start.run(['--profile', 'test-b'], { ...noElectron(start), PATH: `${bin}:${dirname(process.execPath)}`, DISPLAY: ':99' });
    const { url } = await start.waitForPage();
    expect(await start.until('xdg-open ran', () => readJson(seen))).toEqual({ argv: [url] });
    const running = await start.descendants();
    expect(await start.signal('SIGTERM')).toBe(0);
    await expectAllGone(running);
  });

  it('runs an Electron binary on the repository with the profile, without ELECTRON_RUN_AS_NODE, and passes on SIGTERM and its exit code', async () => {
    const start = await StartProcess.create();
    const seen = join(start.home, 'electron.json');
    const electronDir = join(start.home, 'electron-dist');
    // Records how it was run, then runs until SIGTERM and exits with 7, so the code that comes back is Electron's.
    fakeProgram(electronDir, 'electron', `process.on('SIGTERM', () => process.exit(7));
${record(seen, '{ runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }')}setInterval(() => {}, 1000);\n`);
    start.run(['--profile', 'test-e'], { ELECTRON_OVERRIDE_DIST_PATH: electronDir, ELECTRON_RUN_AS_NODE: '1' });
    const electron = await start.until('the fake Electron ran', () => readJson(seen), 45_000);
    expect(electron).toEqual({ argv: [ROOT.replace(/\/$/, ''), '--profile', 'test-e'], runAsNode: null });
    expect(start.output).not.toContain('no Electron binary');
    const running = await start.descendants();
    expect(await start.signal('SIGTERM')).toBe(7);
    await expectAllGone(running);
  });
});

// The desktop app's main process: one peer running in this process, on a
// worker thread (PeerHost, so its work never delays the window), one window
// showing it through the IPC bridge, and the things a desktop app does
// (menu, remembered window, one instance per profile, a gentle quit).
// Everything that can run without Electron lives beside it and is tested in
// Node; this file only wires it to Electron.
//
//   electron . [--profile NAME]
//
// Order matters at start: the profile's userData is set before the
// single-instance lock is asked for (the lock lives there, so each profile
// has its own), and the app:// scheme is registered before the app is ready.
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IpcResult } from '../../core/api/ipc/bridge-types.ts';
import type { OperationResult } from '../../core/api/call.ts';
import type { IpcOperation } from '../../core/api/ipc/channels.ts';
import { RENDERER_DIST } from '../../core/paths.ts';
import { createLogger } from '../../core/service/logger.ts';
import { PeerHost } from '../peer-host/peer-host.ts';
import { PRODUCT_NAME, ProfileError, profileDataDir, profileFromArgs, profileUserData } from '../profiles.ts';
import { APP_ORIGIN, APP_PAGE, APP_SCHEME, appProtocolHandler } from './app-protocol.ts';
import { registerBridge } from './ipc-bridge.ts';
import { menuTemplate } from './menu.ts';
import { denyPermissions, lockNavigation } from './security.ts';
import { readSettings, writeSettings, type Settings } from './settings.ts';
import { MIN_SIZE, placeWindow, readWindowState, writeWindowState } from './window-state.ts';

/** QUIT_GRACE_MS bounds the gentle stop at quit: hand leadership over, flush storage. */
const QUIT_GRACE_MS = 3_000;

const log = createLogger('app');
const profile = profileOrExit(process.argv);
const appData = join(app.getPath('appData'), PRODUCT_NAME);
const userData = profileUserData(appData, profile);
const dataDir = profileDataDir(appData, profile);
app.setName(PRODUCT_NAME);
app.setPath('userData', userData);

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let window: BrowserWindow | null = null;
let peer: PeerHost | null = null;
let settings: Settings = readSettings(userData);
let quitting: 'no' | 'stopping' | 'done' = 'no';

if (!app.requestSingleInstanceLock()) {
  // Another window of this profile runs: it is focused (second-instance below), this one leaves.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window === null) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => lockNavigation(contents));
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'stopping') return;
    quitting = 'stopping';
    void stopGently().finally(() => {
      quitting = 'done';
      app.quit();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (window === null && peer !== null) openWindow();
  });
  app.whenReady().then(start).catch((error: unknown) => {
    log.error('the app did not start', error);
    dialog.showErrorBox('Raftnotes did not start', `${(error as Error).message}\n\nData folder: ${dataDir}`);
    quitting = 'done';
    app.exit(1);
  });
}

async function start(): Promise<void> {
  denyPermissions(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(RENDERER_DIST));
  peer = await PeerHost.start({
    workerUrl: unpacked(new URL('./peer-worker.js', import.meta.url)), dataDir, origin: APP_ORIGIN,
    onFatal: (message) => dialog.showErrorBox('Raftnotes stopped writing', `${message}\n\nYour notes up to now are safe in ${dataDir}.`),
    onSummary: (summary) => {
      app.setBadgeCount(summary.pending);
      buildMenu(summary.offline, summary.hasNotebook);
    },
  });
  registerBridge(ipcMain, peer);
  watchEventLoop();
  if (settings.localApi) await setLocalApi(true);
  openWindow();
}

/** call runs an operation for the main process itself (the menu's commands); a refusal is shown in a dialog. */
async function call<N extends IpcOperation>(name: N, input: unknown): Promise<OperationResult<N> | null> {
  const result = await peer!.invoke(name, APP_PAGE, input) as IpcResult<OperationResult<N>>;
  if (result.ok) return result.value;
  dialog.showErrorBox('Raftnotes', result.error.message);
  return null;
}

function openWindow(): void {
  const placed = placeWindow(readWindowState(userData), screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...placed.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: PRODUCT_NAME,
    show: false,
    webPreferences: {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: true,
    },
  });
  window = win;
  if (placed.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  const remember = () => writeWindowState(userData, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  win.on('close', remember);
  win.on('closed', () => { window = null; });
  void win.loadURL(APP_PAGE);
}

/** buildMenu sets the application menu for the peer's state (again whenever the worker's summary changes). */
function buildMenu(offline: boolean, hasNotebook: boolean): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, { offline, hasNotebook, localApi: settings.localApi }, {
    copyInvite: () => void call('invite', {}).then((answer) => { if (answer !== null) clipboard.writeText(answer.invite); }),
    exportNotes: (format) => void exportNotes(format),
    openDataFolder: () => void shell.openPath(dataDir),
    setOffline: (isolated) => void call('setIsolated', { isolated }),
    setLocalApi: (on) => void setLocalApi(on).then(() => buildMenu(offline, hasNotebook)),
  })));
}

async function exportNotes(format: 'md' | 'json'): Promise<void> {
  const result = await call('exportNotes', { format });
  if (result === null) return;
  const day = new Date().toISOString().slice(0, 10);
  const choice = await dialog.showSaveDialog({
    defaultPath: join(app.getPath('documents'), `raftnotes-${day}.${format}`),
    filters: [format === 'md' ? { name: 'Markdown', extensions: ['md'] } : { name: 'JSON', extensions: ['json'] }],
  });
  if (choice.canceled || choice.filePath === undefined) return;
  await writeFile(choice.filePath, result.format === 'md' ? result.text : JSON.stringify(result.document, null, 2));
}

/** setLocalApi starts or stops the local HTTP API for scripts (127.0.0.1, the port it had before, the data directory's token), and remembers it; why it did not start is said in a dialog. */
async function setLocalApi(on: boolean): Promise<void> {
  settings = { ...settings, localApi: on };
  writeSettings(userData, settings);
  try {
    const url = await peer?.setLocalApi(on);
    if (on && url !== null && url !== undefined) log.info(`local API for scripts at ${url} (token in ${join(dataDir, 'api-token')})`);
  } catch (error) {
    dialog.showErrorBox('The local API for scripts did not start', (error as Error).message);
  }
}

/** stopGently stops the peer (a leader hands over first; the local API with it), within QUIT_GRACE_MS. */
async function stopGently(): Promise<void> {
  const stopped = (peer?.stop() ?? Promise.resolve()).then(() => 'stopped' as const);
  const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), QUIT_GRACE_MS).unref());
  if (await Promise.race([stopped, late]) === 'late') log.warn(`the peer did not stop within ${QUIT_GRACE_MS} ms; quitting anyway (its storage is durable)`);
}

/** watchEventLoop logs the main process's event-loop delay (p50, p99) each minute at debug level: the peer must not stall the window. */
function watchEventLoop(): void {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  setInterval(() => {
    log.debug(`event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
    delay.reset();
  }, 60_000).unref();
}

/** profileOrExit is the profile the command line names; a name that cannot be used is said in a dialog, and the app exits. */
function profileOrExit(argv: readonly string[]): string {
  try {
    return profileFromArgs(argv);
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    dialog.showErrorBox('Raftnotes cannot start', error.message);
    app.exit(2);
    throw error;
  }
}

/**
 * unpacked is where a file of the app really is on disk: worker threads read
 * from the file system, not from inside app.asar, so the packaged app keeps
 * the peer's worker in app.asar.unpacked (electron-builder.yml, asarUnpack).
 */
function unpacked(url: URL): URL {
  return new URL(url.href.replace(/\/app\.asar\//, '/app.asar.unpacked/'));
}

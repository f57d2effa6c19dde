// The desktop app's main process: one peer (NotesService) running in this
// process, one window showing it through the IPC bridge, and the things a
// desktop app does (menu, remembered window, one instance per profile, a
// gentle quit). Everything that can run without Electron lives beside it and
// is tested in Node; this file only wires it to Electron.
//
//   electron . [--profile NAME]
//
// Order matters at start: the profile's userData is set before the
// single-instance lock is asked for (the lock lives there, so each profile
// has its own), and the app:// scheme is registered before the app is ready.
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { callOperation } from '../../core/api/call.ts';
import { eventFeed } from '../../core/api/events.ts';
import { HttpApi, operationRoutes } from '../../core/api/http/http-api.ts';
import { IpcAdapter } from '../../core/api/ipc/ipc-adapter.ts';
import { RENDERER_DIST } from '../../core/paths.ts';
import { loadOrCreateToken } from '../../core/service/data-dir.ts';
import { createLogger } from '../../core/service/logger.ts';
import { NotesService } from '../../core/service/notes-service.ts';
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
let service: NotesService | null = null;
let localApi: HttpApi | null = null;
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
    if (window === null && service !== null) openWindow();
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
  const peer = new NotesService({ dataDir, name: hostname() });
  service = peer;
  peer.addEventListener('log', (evt) => log.info(evt.detail.text));
  peer.addEventListener('fatal', (evt) => {
    dialog.showErrorBox('Raftnotes stopped writing', `${evt.detail.message}\n\nYour notes up to now are safe in ${dataDir}.`);
  });
  await peer.start();
  registerBridge(ipcMain, new IpcAdapter({ service: peer, origin: APP_ORIGIN, log: log.child('ipc') }));
  watchEventLoop();
  followPeer(peer);
  if (settings.localApi) await setLocalApi(true);
  openWindow();
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

/** followPeer keeps the menu and the badge of pending notes in step with the peer. */
function followPeer(peer: NotesService): void {
  let offline: boolean | null = null;
  let hasNotebook: boolean | null = null;
  eventFeed(peer)((event) => {
    if (event.event === 'notes') app.setBadgeCount(event.data.pending.length);
    if (event.event !== 'status') return;
    const now = { offline: event.data.isolated, hasNotebook: event.data.notebook !== null };
    if (now.offline === offline && now.hasNotebook === hasNotebook) return;
    ({ offline, hasNotebook } = now);
    buildMenu(now.offline, now.hasNotebook);
  });
}

function buildMenu(offline: boolean, hasNotebook: boolean): void {
  const peer = service!;
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, { offline, hasNotebook, localApi: settings.localApi }, {
    copyInvite: () => clipboard.writeText(peer.invite()),
    exportNotes: (format) => void exportNotes(peer, format),
    openDataFolder: () => void shell.openPath(dataDir),
    setOffline: (isolated) => void callOperation(peer, 'setIsolated', { isolated }),
    setLocalApi: (on) => void setLocalApi(on).then(() => buildMenu(offline, hasNotebook)),
  })));
}

async function exportNotes(peer: NotesService, format: 'md' | 'json'): Promise<void> {
  const result = await callOperation(peer, 'exportNotes', { format });
  const day = new Date().toISOString().slice(0, 10);
  const choice = await dialog.showSaveDialog({
    defaultPath: join(app.getPath('documents'), `raftnotes-${day}.${format}`),
    filters: [format === 'md' ? { name: 'Markdown', extensions: ['md'] } : { name: 'JSON', extensions: ['json'] }],
  });
  if (choice.canceled || choice.filePath === undefined) return;
  await writeFile(choice.filePath, result.format === 'md' ? result.text : JSON.stringify(result.document, null, 2));
}

/** setLocalApi starts or stops the local HTTP API for scripts (127.0.0.1, a free port, the data directory's token). */
async function setLocalApi(on: boolean): Promise<void> {
  settings = { ...settings, localApi: on };
  writeSettings(userData, settings);
  if (!on) {
    await localApi?.stop();
    localApi = null;
    return;
  }
  if (localApi !== null || service === null) return;
  const token = await loadOrCreateToken(dataDir);
  localApi = new HttpApi({ host: '127.0.0.1', port: 0, token, routes: operationRoutes(service), events: eventFeed(service), ui: null, log: log.child('api') });
  log.info(`local API for scripts at ${await localApi.start()} (token in ${join(dataDir, 'api-token')})`);
}

/** stopGently stops the peer (a leader hands over first) and the local API, within QUIT_GRACE_MS. */
async function stopGently(): Promise<void> {
  const stopped = Promise.all([localApi?.stop(), service?.stop()]).then(() => 'stopped' as const);
  const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), QUIT_GRACE_MS).unref());
  if (await Promise.race([stopped, late]) === 'late') log.warn(`the peer did not stop within ${QUIT_GRACE_MS} ms; quitting anyway (its storage is durable)`);
}

/** watchEventLoop logs the main process's event-loop delay (p50, p99) each minute at debug level: the peer must not stall the window. */
function watchEventLoop(): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
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

// The application menu: the standard roles (on macOS text editing needs the
// Edit menu's undo, cut, copy, paste and select all), and Raftnotes' own
// commands. Built from the app's state, again whenever it changes (the label
// "Go offline" becomes "Reconnect"). Types only from Electron, so the template
// is tested in Node.
import type { MenuItemConstructorOptions } from 'electron';

/** MenuActions are what the app's own menu items do. */
export interface MenuActions {
  copyInvite(): void;
  exportNotes(format: 'md' | 'json'): void;
  openDataFolder(): void;
  setOffline(offline: boolean): void;
  setLocalApi(on: boolean): void;
}

/** MenuState is what the menu shows. */
export interface MenuState {
  hasNotebook: boolean;
  offline: boolean;
  localApi: boolean;
}

/** menuTemplate is the application menu for `platform` in `state`. */
export function menuTemplate(platform: NodeJS.Platform, state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const notebookOnly = { enabled: state.hasNotebook };
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Copy invite code', accelerator: 'CmdOrCtrl+Shift+I', ...notebookOnly, click: () => actions.copyInvite() },
        { type: 'separator' },
        { label: 'Export as Markdown…', ...notebookOnly, click: () => actions.exportNotes('md') },
        { label: 'Export as JSON…', ...notebookOnly, click: () => actions.exportNotes('json') },
        { type: 'separator' },
        { label: 'Open data folder', click: () => actions.openDataFolder() },
        ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' }, { role: 'redo' }, { type: 'separator' },
        { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' },
      ],
    },
    {
      label: 'Notebook',
      submenu: [
        { label: state.offline ? 'Reconnect' : 'Go offline', ...notebookOnly, click: () => actions.setOffline(!state.offline) },
        { type: 'separator' },
        { label: 'Local API for scripts', type: 'checkbox', checked: state.localApi, click: () => actions.setLocalApi(!state.localApi) },
      ],
    },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ];
}

// What Electron's security checklist asks of every window and session: pages
// may not navigate away from the app, open windows (links open in the system
// browser instead, http and https only), or be granted any permission
// (camera, notifications, …: the notes app needs none).
import { shell, type Session, type WebContents } from 'electron';
import { APP_ORIGIN } from './app-protocol.ts';

/** denyPermissions refuses every permission request and check of `session`. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** lockNavigation keeps `contents` on the app's own pages and opens web links in the system browser. */
export function lockNavigation(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

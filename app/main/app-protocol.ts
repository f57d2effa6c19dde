// The app:// protocol: the desktop app's pages come from the built renderer
// (dist/renderer) under `app://raftnotes/`, never from file://, with the same
// path checks and Content-Security-Policy as a peer's HTTP server (the pages
// may load only their own scripts and styles). Electron-free: main.ts hands
// Electron's protocol.handle the function this module makes.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CONTENT_SECURITY_POLICY, CONTENT_TYPES, StaticFiles } from '../../core/api/http/static-files.ts';

/** APP_SCHEME is the custom scheme of the app's pages. */
export const APP_SCHEME = 'app';
/** APP_ORIGIN is where the app's pages live; the IPC bridge serves frames of this origin only. */
export const APP_ORIGIN = 'app://raftnotes';
/** APP_PAGE is the notes app's page. */
export const APP_PAGE = `${APP_ORIGIN}/index.html`;


/** appProtocolHandler answers requests for app:// URLs from the files under `root` (the built renderer). */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  const files = new StaticFiles({ root });
  return async (request) => {
    const url = new URL(request.url);
    const file = url.host === new URL(APP_ORIGIN).host ? files.resolvePath(url.pathname) : null;
    if (file === null || request.method !== 'GET') return new Response('Not found', { status: 404 });
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return new Response('Not found', { status: 404 });
    }
    return new Response(new Uint8Array(body), {
      headers: {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  };
}

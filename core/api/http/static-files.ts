// StaticFiles serves the built web UI (dist/renderer) to a browser: the HTML
// pages with the API token written into their `raftnotes-token` meta tag, and
// the hashed assets under /assets/. It never serves a file outside its root
// (no `..`, no encoded slashes, no dot files), answers with a strict
// Content-Security-Policy, and says how to build the UI when it is missing.
// The peer's HttpApi and the demo server both use it.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { RENDERER_DIST } from '../../paths.ts';
import type { HttpResponse } from './http-server.ts';


/** TOKEN_PLACEHOLDER is the meta tag content that each served page gets replaced by the token. */
export const TOKEN_PLACEHOLDER = '__RAFTNOTES_TOKEN__';

/** CONTENT_SECURITY_POLICY allows only the page's own scripts, styles and connections (no inline scripts). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** CONTENT_TYPES is the type of each file the built pages hold, by extension (the app:// protocol serves them too). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** StaticFilesInit says where the files are and which page `/` shows. */
export interface StaticFilesInit {
  /** The folder to serve; default RENDERER_DIST. */
  root?: string;
  /** The page served at `/`; default index.html. */
  index?: string;
}

/** StaticFiles answers GET requests for the web UI's files. */
export class StaticFiles {
  readonly root: string;
  private readonly index: string;

  constructor(init: StaticFilesInit = {}) {
    this.root = resolve(init.root ?? RENDERER_DIST);
    this.index = init.index ?? 'index.html';
  }

  /** serve answers `pathname` (still URL-encoded) on `res`; HTML pages get `token` in their meta tag. */
  async serve(pathname: string, res: HttpResponse, token: string): Promise<void> {
    const file = this.resolvePath(pathname);
    if (file === null) {
      plain(res, 404, `There is no file at ${pathname}.`);
      return;
    }
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      if (!(await exists(join(this.root, this.index)))) {
        plain(res, 503, `The web UI is not built yet: run \`npm run build:renderer\` in the raftnotes checkout, then reload this page.\n(looked in ${this.root})`);
      } else {
        plain(res, 404, `There is no file at ${pathname}.`);
      }
      return;
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (extname(file) === '.html') {
      body = Buffer.from(body.toString('utf8').replaceAll(TOKEN_PLACEHOLDER, escapeAttribute(token)));
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
      headers['cache-control'] = 'no-store';
      headers['x-frame-options'] = 'DENY';
    } else {
      // Vite names assets by their content hash, so they never change under one name.
      headers['cache-control'] = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    }
    res.writeHead(200, headers);
    res.end(body);
  }

  /** resolvePath maps a URL path onto a file under root, or null when the path is not one the UI may serve. */
  resolvePath(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname === '/' ? `/${this.index}` : pathname);
    } catch {
      return null;
    }
    if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
    const segments = decoded.slice(1).split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return null;
    const file = resolve(this.root, ...segments);
    return file.startsWith(this.root + sep) ? file : null;
  }
}

function plain(res: HttpResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>']/g, (c) => `&#${c.charCodeAt(0)};`);
}

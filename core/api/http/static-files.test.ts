import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpApi } from './http-api.ts';
import { CONTENT_SECURITY_POLICY, StaticFiles, TOKEN_PLACEHOLDER } from './static-files.ts';

const TOKEN = 'test-token-0123456789abcdefghijkl';
let api: HttpApi | null = null;
const dirs: string[] = [];

afterEach(async () => {
  await api?.stop();
  api = null;
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A built UI in a temp dir, with a secret file beside it that must never be served. */
async function builtUi(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'raftnotes-ui-'));
  dirs.push(parent);
  const root = join(parent, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), `<meta name="raftnotes-token" content="${TOKEN_PLACEHOLDER}"><script type="module" src="./assets/app.js"></script>`);
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  await writeFile(join(root, '.hidden'), 'HIDDEN-CONTENT');
  await writeFile(join(parent, 'secret.txt'), 'SECRET-CONTENT');
  return root;
}

/** get sends a raw request (the path exactly as given, no normalisation) and returns the status, headers and body. */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serveUi(root: string): Promise<string> {
  api = new HttpApi({ host: '127.0.0.1', port: 0, token: TOKEN, routes: [], ui: new StaticFiles({ root }) });
  return api.start();
}

describe('StaticFiles', () => {
  it('serves the page at / without the token, with the token written in, a strict CSP and the right types', async () => {
    const url = await serveUi(await builtUi());
    const page = await get(url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src 'self'/);
    expect(page.body).toContain(`content="${TOKEN}"`);
    expect(page.body).not.toContain(TOKEN_PLACEHOLDER);
    expect((await get(url, '/index.html')).body).toContain(TOKEN);
    const js = await get(url, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(url, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(url, '/assets/missing.js')).status).toBe(404);
  });

  it('refuses paths that leave its folder, however they are spelled', async () => {
    const url = await serveUi(await builtUi());
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/.hidden', '/assets//app.js', '/%00', '/%E0%A4%A']) {
      const res = await get(url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toMatch(/SECRET-CONTENT|HIDDEN-CONTENT/);
    }
  });

  it('keeps the Host and Origin checks on the page and the token on the API', async () => {
    const url = await serveUi(await builtUi());
    const port = new URL(url).port;
    expect((await get(url, '/', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(url, '/assets/app.js', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(url, '/', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(url, '/api/status')).status).toBe(401);
  });

  it('says how to build the UI when it is missing', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'raftnotes-ui-'));
    dirs.push(parent);
    const url = await serveUi(join(parent, 'nothing'));
    const res = await get(url, '/');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toContain('npm run build:renderer');
  });
});

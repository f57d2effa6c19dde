import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appProtocolHandler, APP_PAGE } from './app-protocol.ts';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

describe('AppProtocol', () => {
  it('serves the built pages under app://raftnotes with the Content-Security-Policy, and nothing outside them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-app-'));
    dirs.push(dir);
    const root = join(dir, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
    await writeFile(join(root, 'assets', 'main.js'), 'console.log(1)');
    await writeFile(join(root, '..', 'secret.txt'), 'no');
    const handle = appProtocolHandler(root);
    const page = await handle(new Request(APP_PAGE));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('<div id="app">');
    expect((await handle(new Request('app://raftnotes/assets/main.js'))).headers.get('content-type')).toMatch(/javascript/);
    for (const url of ['app://raftnotes/../secret.txt', 'app://raftnotes/%2e%2e/secret.txt', 'app://raftnotes/nothing.js', 'app://elsewhere/index.html']) {
      expect((await handle(new Request(url))).status, url).toBe(404);
    }
    expect((await handle(new Request(APP_PAGE, { method: 'POST', body: 'x' }))).status).toBe(404);
  });
});

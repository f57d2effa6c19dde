// The desktop app's bundles as Electron loads them: the main process an ES
// module, the preload one CommonJS file that requires nothing but electron
// (a sandboxed preload can require nothing else), both valid JavaScript.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../scripts/build-app.ts';

const run = promisify(execFile);

describe('AppBundle', () => {
  it('builds the main process as an ES module and the preload as CommonJS that requires only electron', async () => {
    const { main, preload } = await buildApp();
    await run(process.execPath, ['--check', main]);
    await run(process.execPath, ['--check', preload]);
    const preloadText = await readFile(preload, 'utf8');
    const required = [...preloadText.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preloadText).toContain('exposeInMainWorld("raftnotes"');
    const mainText = await readFile(main, 'utf8');
    expect(mainText).toMatch(/from\s*"electron"/);
    expect(mainText).not.toContain('ipcRenderer');
    expect((await stat(preload)).size).toBeLessThan(16 * 1024);
  }, 60_000);
});

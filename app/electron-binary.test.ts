import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executableName, findElectronBinary } from './electron-binary.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** electronFolder makes a folder holding a file named as the binary is on this OS. */
function electronFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'raftnotes-electron-'));
  dirs.push(dir);
  writeFileSync(join(dir, executableName('linux')), '#!/bin/sh\n');
  chmodSync(join(dir, executableName('linux')), 0o755);
  return dir;
}

const packageWithoutBinary = () => { throw new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again'); };

describe('Electron binary', () => {
  it('uses the binary in ELECTRON_OVERRIDE_DIST_PATH before the package', () => {
    const dir = electronFolder();
    const found = findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: dir }, platform: 'linux', requireElectron: () => '/elsewhere/electron' });
    expect(found).toEqual({ ok: true, path: join(dir, 'electron'), source: 'ELECTRON_OVERRIDE_DIST_PATH' });
  });

  it('says so when ELECTRON_OVERRIDE_DIST_PATH holds no binary, rather than running another one', () => {
    const found = findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' }, platform: 'linux', requireElectron: () => '/elsewhere/electron', exists: () => false });
    expect(found).toEqual({ ok: false, reason: expect.stringMatching(/ELECTRON_OVERRIDE_DIST_PATH is \/nowhere, which holds no electron/) });
  });

  it('uses the path the electron package gives when no override is set', () => {
    const dir = electronFolder();
    const path = join(dir, 'electron');
    expect(findElectronBinary({ env: {}, requireElectron: () => path })).toEqual({ ok: true, path, source: 'electron package' });
    expect(findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: '' }, requireElectron: () => path })).toMatchObject({ ok: true, path });
  });

  it('explains a missing binary when the electron package throws because its download never ran', () => {
    const found = findElectronBinary({ env: {}, requireElectron: packageWithoutBinary });
    expect(found.ok).toBe(false);
    expect(!found.ok && found.reason).toMatch(/electron package's download from github\.com did not run.*ELECTRON_OVERRIDE_DIST_PATH/);
  });

  it('tells a package that is not installed, and a path that names no file, apart', () => {
    const notInstalled = () => { throw Object.assign(new Error("Cannot find module 'electron'"), { code: 'MODULE_NOT_FOUND' }); };
    expect(findElectronBinary({ env: {}, requireElectron: notInstalled })).toEqual({ ok: false, reason: expect.stringMatching(/not installed/) });
    expect(findElectronBinary({ env: {}, requireElectron: () => '/gone/electron', exists: () => false }))
      .toEqual({ ok: false, reason: expect.stringMatching(/names \/gone\/electron, which is missing/) });
  });

  it('names the binary inside an Electron folder as the electron package does on each OS', () => {
    expect(executableName('linux')).toBe('electron');
    expect(executableName('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
    expect(executableName('win32')).toBe('electron.exe');
  });
});

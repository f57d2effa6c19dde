// The afterPack hook that flips the Electron fuses (scripts/after-pack.ts).
// It is run here against stand-in binaries (fake-electron.ts): the real
// Electron binary is not on this machine. What cannot run here: the ad-hoc
// re-signing of an Apple silicon build (codesign, macOS only), and a real
// Electron refusing ELECTRON_RUN_AS_NODE and friends once its fuses are flipped.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { flipFuses } from '@electron/fuses';
import { Arch, MacPackager, WinPackager, type AfterPackContext } from 'electron-builder';
import { afterPack, fuseConfig, FUSES } from '../../scripts/after-pack.ts';
import { ELECTRON_DEFAULTS, fakeElectronBinary, PACKAGED_FUSES, readFuses } from './fake-electron.ts';

function context(electronPlatformName: string, arch: Arch, appOutDir: string, packager: object): AfterPackContext {
  return { electronPlatformName, arch, appOutDir, outDir: appOutDir, targets: [], packager } as unknown as AfterPackContext;
}

describe('afterPack', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'raftnotes-after-pack-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('asks the packager to flip the fuses of the app it just packed', async () => {
    const addElectronFuses = vi.fn(async () => 1);
    const ctx = context('linux', Arch.x64, '/out/linux-unpacked', { addElectronFuses });
    await afterPack(ctx);
    expect(addElectronFuses).toHaveBeenCalledTimes(1);
    expect(addElectronFuses).toHaveBeenCalledWith(ctx, fuseConfig('linux', Arch.x64));
  });

  it('sets exactly the six fuses of the issue and leaves the others to Electron', () => {
    expect(FUSES).toEqual({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    });
    // Keys 0…7 are the wire's positions; a seventh key would flip a fuse nobody chose.
    const positions = Object.keys(fuseConfig('win32', Arch.x64)).filter((k) => /^\d+$/.test(k));
    expect(positions.sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('re-signs ad hoc only an Apple silicon build, which runs no binary with a broken signature', () => {
    expect(fuseConfig('darwin', Arch.arm64).resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig('darwin', Arch.x64).resetAdHocDarwinSignature).toBe(false);
    expect(fuseConfig('win32', Arch.arm64).resetAdHocDarwinSignature).toBe(false);
    expect(fuseConfig('linux', Arch.arm64).resetAdHocDarwinSignature).toBe(false);
  });

  it('gives @electron/fuses a configuration that sets the fuse wire of a binary as expected', async () => {
    const binary = join(dir, 'electron');
    await writeFile(binary, fakeElectronBinary());
    expect(await readFuses(binary)).toEqual(ELECTRON_DEFAULTS);
    await flipFuses(binary, fuseConfig('linux', Arch.x64));
    expect(await readFuses(binary)).toEqual(PACKAGED_FUSES);
  });

  // electron-builder's own addElectronFuses finds each platform's binary; the Linux one is packed for real in pack-linux-dir.test.ts.
  it('flips the fuses of Raftnotes.exe through electron-builder\'s Windows packager', async () => {
    const appOutDir = join(dir, 'win-unpacked');
    await mkdir(appOutDir, { recursive: true });
    await writeFile(join(appOutDir, 'Raftnotes.exe'), fakeElectronBinary());
    const packager = Object.assign(Object.create(WinPackager.prototype) as object, { appInfo: { productFilename: 'Raftnotes' } });
    await afterPack(context('win32', Arch.x64, appOutDir, packager));
    expect(await readFuses(join(appOutDir, 'Raftnotes.exe'))).toEqual(PACKAGED_FUSES);
  });

  it('flips the fuses of the Electron framework inside Raftnotes.app through electron-builder\'s macOS packager', async () => {
    const appOutDir = join(dir, 'mac');
    const framework = join(appOutDir, 'Raftnotes.app', 'Contents', 'Frameworks', 'Electron Framework.framework');
    await mkdir(framework, { recursive: true });
    await writeFile(join(framework, 'Electron Framework'), fakeElectronBinary());
    const packager = Object.assign(Object.create(MacPackager.prototype) as object, { appInfo: { productFilename: 'Raftnotes' } });
    // x64: an arm64 build would run codesign, which only macOS has.
    await afterPack(context('darwin', Arch.x64, appOutDir, packager));
    expect(await readFuses(join(framework, 'Electron Framework'))).toEqual(PACKAGED_FUSES);
  });
});

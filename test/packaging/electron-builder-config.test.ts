// electron-builder.yml against electron-builder's own JSON schema (the
// scheme.json of app-builder-lib, with ajv, the validator it uses itself), and
// the choices it must keep: the installers of each OS, the asar archive, the
// fuses hook, the files shipped, the icons, the metadata the deb and rpm need,
// and `npm run dist`. pack-linux-dir.test.ts packs it for real.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import { afterPack } from '../../scripts/after-pack.ts';
import { BUILD_RESOURCES, SOURCE } from '../../scripts/build-icons.ts';
import { readYaml } from './read-yaml.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
const raw = readYaml(join(ROOT, 'electron-builder.yml'));
const config = raw as Configuration;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main?: string; description?: string; homepage?: string; author?: { name?: string; email?: string }; scripts: Record<string, string>;
};

let compiled: ValidateFunction | null = null;

/** validate checks a configuration as electron-builder does (its options but coercion: a string where a boolean belongs is an error here). */
function validate(candidate: unknown): string[] {
  // Compiling the schema takes seconds: once.
  const check = (compiled ??= new Ajv({ allErrors: true, strict: false }).compile(SCHEMA));
  return check(candidate) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** targets lists the `target` entries of one OS's section as "name:arch,arch" (arch empty when electron-builder picks the machine's). */
function targets(section: { target?: unknown } | null | undefined): string[] {
  const list = Array.isArray(section?.target) ? (section.target as unknown[]) : [section?.target];
  return list.map((t) => (typeof t === 'string' ? `${t}:` : `${(t as { target: string }).target}:${((t as { arch?: string[] }).arch ?? []).join(',')}`));
}

describe('electron-builder.yml', () => {
  it('matches electron-builder\'s JSON schema', () => {
    expect(validate(raw)).toEqual([]);
  });

  it('would be refused with an option electron-builder does not know', () => {
    expect(validate({ ...config, asr: true }).join('\n')).toMatch(/additionalProperties|must NOT have additional properties/);
    expect(validate({ ...config, nsis: { ...config.nsis, oneclick: true } })).not.toEqual([]);
  });

  it('names the app as the OSes know it', () => {
    expect([config.appId, config.productName]).toEqual(['org.raftnotes.app', 'Raftnotes']);
  });

  it('builds AppImage, deb and rpm for Linux, NSIS for Windows, dmg and zip for Intel and Apple silicon Macs', () => {
    expect(targets(config.linux)).toEqual(['AppImage:', 'deb:', 'rpm:']);
    expect(targets(config.win)).toEqual(['nsis:']);
    expect(targets(config.mac)).toEqual(['dmg:x64,arm64', 'zip:x64,arm64']);
  });

  it('keeps the user\'s notes when the app is uninstalled on Windows', () => {
    expect(config.nsis?.deleteAppDataOnUninstall).toBe(false);
  });

  it('packs the app into an asar archive', () => {
    expect(config.asar).toBe(true);
  });

  it('flips the fuses in an afterPack hook: scripts/after-pack.ts, which exports it', async () => {
    expect(config.afterPack).toBe('./scripts/after-pack.ts');
    const hook = (await import(pathToFileURL(join(ROOT, config.afterPack as string)).href)) as { afterPack?: unknown };
    expect(hook.afterPack).toBe(afterPack);
    expect(config.electronFuses, 'one place flips the fuses: the hook').toBeUndefined();
  });

  it('ships the bundled app, the pages and package.json, without node_modules or source maps', () => {
    expect(config.files).toEqual(['dist/app/**', 'dist/renderer/**', 'package.json', '!**/*.map', '!node_modules/**']);
    // Electron starts the `main` of the packed package.json: it must be among the files shipped.
    expect(pkg.main).toBe('dist/app/main.js');
    // Nothing packed, nothing to rebuild; the installers go beside the build, not into it.
    expect(config.npmRebuild).toBe(false);
    expect(config.directories).toEqual({ output: 'release', buildResources: 'build' });
  });

  it('takes the icons scripts/build-icons.ts makes from build/icon.svg', () => {
    expect([config.linux?.icon, config.win?.icon, config.mac?.icon]).toEqual(['build/icons', 'build/icon.ico', 'build/icon.icns']);
    // The script writes icons/, icon.ico and icon.icns into the build resources folder (icons.test.ts checks what).
    expect(relative(ROOT, BUILD_RESOURCES)).toBe(config.directories?.buildResources);
    expect(existsSync(SOURCE)).toBe(true);
  });

  it('has in package.json the description, homepage and author the deb and rpm are made with', () => {
    expect(pkg.description).toMatch(/\S/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author).toEqual({ name: expect.stringMatching(/\S/), email: expect.stringMatching(/^[^@\s]+@[^@\s]+$/) });
  });

  it('is run by `npm run dist` after the app, the pages and the icons are built, and publishes nothing itself', () => {
    expect(pkg.scripts['dist']).toBe('npm run build:app && npm run build:renderer && npm run build:icons && electron-builder --publish never');
    expect(pkg.scripts['build:icons']).toBe('node scripts/build-icons.ts');
    expect(pkg.scripts['build:app']).toBeDefined();
  });
});

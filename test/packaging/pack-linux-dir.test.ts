// electron-builder.yml packed for real: `electron-builder --linux dir` (the
// unpacked app, the step every installer starts from) in a copy of the
// project, with a stand-in Electron binary (fake-electron.ts) as
// `electronDist`, since Electron's own cannot be downloaded here. It checks
// what the installers would hold: the archive's files and the binary's fuses.
// What cannot run here: the installers themselves (AppImage, deb and rpm need
// tools electron-builder downloads; NSIS needs Windows or Wine; dmg needs macOS),
// and the packed app (no Electron).
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeElectronBinary, PACKAGED_FUSES, readFuses } from './fake-electron.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The project's own files that the packaging reads, copied as they are. */
const PROJECT_FILES = ['package.json', 'electron-builder.yml', 'scripts/after-pack.ts'];

/** Stand-ins for the build's outputs and the sources beside them: only the first five belong in the app. */
const PROJECT_STAND_INS: Record<string, string> = {
  'dist/app/main.js': 'console.log("main");\n',
  'dist/app/preload.cjs': 'console.log("preload");\n',
  'dist/app/peer-worker.js': 'console.log("peer worker");\n',
  'dist/renderer/index.html': '<!doctype html><title>Raftnotes</title>\n',
  'dist/renderer/assets/index.js': 'console.log("page");\n',
  'dist/renderer/assets/index.css': 'body {}\n',
  'dist/app/main.js.map': '{}\n',
  'dist/renderer/assets/index.js.map': '{}\n',
  'dist/cli/raftnotes.js': 'console.log("cli");\n',
  'app/main/main.ts': 'export {};\n',
  'core/raft/raft.ts': 'export {};\n',
  'test/packaging/some.test.ts': 'export {};\n',
  'bench/core.ts': 'export {};\n',
  'scripts/build-icons.ts': 'export {};\n',
  'build/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  'README.md': '# Raftnotes\n',
};

async function writeProjectFile(project: string, path: string, contents: string | Buffer): Promise<void> {
  await mkdir(dirname(join(project, path)), { recursive: true });
  await writeFile(join(project, path), contents);
}

describe('electron-builder --linux dir', () => {
  let project: string;
  let appOutDir: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'raftnotes-pack-'));
    for (const file of PROJECT_FILES) {
      await mkdir(dirname(join(project, file)), { recursive: true });
      await copyFile(join(ROOT, file), join(project, file));
    }
    for (const [path, contents] of Object.entries(PROJECT_STAND_INS)) await writeProjectFile(project, path, contents);
    // The hook imports @electron/fuses and electron-builder, and electron-builder reads Electron's version, from here.
    await symlink(await realpath(join(ROOT, 'node_modules')), join(project, 'node_modules'));
    const electronDist = join(project, 'electron-dist');
    await writeProjectFile(project, 'electron-dist/electron', fakeElectronBinary());
    await writeProjectFile(project, 'electron-dist/LICENSE', 'MIT\n');
    // The hook path in electron-builder.yml is relative to the working directory: the project's.
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--linux', 'dir', '--publish', 'never',
      `-c.electronDist=${electronDist}`], { cwd: project, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });
    if (run.status !== 0) throw new Error(`electron-builder failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
    appOutDir = join(project, 'release', 'linux-unpacked');
  }, 150_000);
  afterAll(async () => { await rm(project, { recursive: true, force: true }); });

  it('packs the bundled app, the pages and package.json into app.asar, and nothing else', () => {
    const entries = listPackage(join(appOutDir, 'resources', 'app.asar'), { isPack: false }).map((p) => p.replaceAll('\\', '/').replace(/^\//, ''));
    // The listing has folders too: a folder is an entry that others sit in.
    const files = entries.filter((p) => !entries.some((q) => q.startsWith(`${p}/`)));
    expect(files.sort()).toEqual(['dist/app/main.js', 'dist/app/peer-worker.js', 'dist/app/preload.cjs', 'dist/renderer/assets/index.css',
      'dist/renderer/assets/index.js', 'dist/renderer/index.html', 'package.json']);
  });

  it('leaves no app folder beside the archive for Electron to load instead, only the peer\'s worker unpacked', async () => {
    expect((await readdir(join(appOutDir, 'resources'))).sort()).toEqual(['app.asar', 'app.asar.unpacked']);
    expect(await readdir(join(appOutDir, 'resources', 'app.asar.unpacked', 'dist', 'app'))).toEqual(['peer-worker.js']);
    expect(await readdir(join(appOutDir, 'resources', 'app.asar.unpacked'))).toEqual(['dist']);
  });

  it('flips the fuses of the packed binary in the afterPack hook', async () => {
    expect(await readFuses(join(appOutDir, 'raftnotes'))).toEqual(PACKAGED_FUSES);
  });
});

// The choice bin/raftnotes.js makes between the bundle and the sources
// (bin/cli-bundle.js): the bundle only while no file it was built from changed
// since its build began, never stale code in silence; and the bundle that
// scripts/build-cli.ts makes is what the command runs.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE, bundleProblem, cliEntry, MANIFEST, SOURCES_ENTRY } from '../../bin/cli-bundle.js';
import { ensureCliBundle } from '../../scripts/build-cli.ts';

const execFileAsync = promisify(execFile);
const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;
const roots: string[] = [];

/** fakeCheckout makes a folder with a bundle, its manifest (build begun at `startedAt`) and two sources modified at `sourceTimes`. */
async function fakeCheckout(startedAt: number, sourceTimes: [number, number]): Promise<string> {
  const root = `${await mkdtemp(join(tmpdir(), 'raftnotes-cli-bundle-'))}/`;
  roots.push(root);
  const inputs = ['core/a.ts', 'core/b.ts'];
  await mkdir(join(root, 'core'));
  await mkdir(join(root, 'dist/cli'), { recursive: true });
  for (const [i, input] of inputs.entries()) {
    await writeFile(root + input, '');
    await utimes(root + input, sourceTimes[i]! / 1000, sourceTimes[i]! / 1000);
  }
  await writeFile(root + BUNDLE, '');
  await writeFile(root + MANIFEST, JSON.stringify({ version: 1, startedAt, entry: SOURCES_ENTRY, inputs }));
  return root;
}

afterEach(async () => {
  delete process.env['RAFTNOTES_FROM_SOURCES'];
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('CliBundle', () => {
  it('runs the bundle while every file it was built from is older than its build', async () => {
    const root = await fakeCheckout(2_000_000, [1_000_000, 1_999_000]);
    expect(bundleProblem(root)).toBeNull();
    expect(cliEntry(root)).toMatchObject({ bundle: true, problem: null });
    expect(cliEntry(root).url.pathname).toBe(root + BUNDLE);
  });

  it('runs the sources, and says why, once a file changed after the build began', async () => {
    const root = await fakeCheckout(2_000_000, [1_000_000, 2_000_500]);
    expect(cliEntry(root)).toMatchObject({ bundle: false, problem: 'core/b.ts changed after the bundle was built' });
    expect(cliEntry(root).url.pathname).toBe(root + SOURCES_ENTRY);
  });

  it('runs the sources when there is no bundle, or a source it was built from is gone', async () => {
    const root = await fakeCheckout(2_000_000, [1_000_000, 1_000_000]);
    await rm(root + 'core/a.ts');
    expect(bundleProblem(root)).toBe('core/a.ts, which the bundle was built from, is gone');
    await rm(root + BUNDLE);
    expect(bundleProblem(root)).toBe(`there is no bundle (${BUNDLE})`);
  });

  it('runs the sources when RAFTNOTES_FROM_SOURCES=1 asks for them', async () => {
    const root = await fakeCheckout(2_000_000, [1_000_000, 1_000_000]);
    process.env['RAFTNOTES_FROM_SOURCES'] = '1';
    expect(cliEntry(root)).toMatchObject({ bundle: false, problem: null });
  });

  it('builds a bundle that the command then runs', async () => {
    await ensureCliBundle();
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, 'help']);
    expect(stdout).toContain('raftnotes serve');
    // A file changed by someone else in between would make the command run the sources; that is what the notice says.
    if (bundleProblem() === null) expect(stderr).not.toContain('running the sources');
  });
});

// .github/workflows/release.yml, which cannot run here (it runs on GitHub's
// machines): its shape, and that it uploads every installer electron-builder.yml
// makes, from the folder electron-builder writes them to.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import { readYaml } from './read-yaml.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }
interface Job { 'runs-on': string; needs?: string; strategy?: { matrix: { os: string[] } }; permissions?: Record<string, string>; steps: Step[] }
const workflow = readYaml(join(ROOT, '.github', 'workflows', 'release.yml')) as { on: { push: { tags: string[] } }; jobs: Record<string, Job> };
const builder = readYaml(join(ROOT, 'electron-builder.yml')) as Configuration;

/** EXTENSIONS are the files each electron-builder target writes. */
const EXTENSIONS: Record<string, string> = { AppImage: 'AppImage', deb: 'deb', rpm: 'rpm', nsis: 'exe', dmg: 'dmg', zip: 'zip' };

function targetNames(section: { target?: unknown } | null | undefined): string[] {
  return ((section?.target ?? []) as (string | { target: string })[]).map((t) => (typeof t === 'string' ? t : t.target));
}

describe('release workflow', () => {
  const build = workflow.jobs['installers']!;
  const release = workflow.jobs['release']!;

  it('runs on version tags', () => {
    expect(workflow.on.push.tags).toEqual(['v*']);
  });

  it('builds on Linux, Windows and macOS', () => {
    expect(build.strategy?.matrix.os).toEqual(['ubuntu-latest', 'windows-latest', 'macos-latest']);
    expect(build['runs-on']).toBe('${{ matrix.os }}');
  });

  it('checks out, sets up Node 22, installs with npm ci and runs npm run dist, in that order', () => {
    const seen = build.steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.run).filter((s) => s !== undefined);
    const order = ['actions/checkout', 'actions/setup-node', 'npm ci', 'npm run dist', 'actions/upload-artifact'].map((s) => seen.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), `steps: ${seen.join(', ')}`).toBe(true);
    expect(build.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(22);
  });

  it('uploads every installer electron-builder.yml makes, from its output folder', () => {
    const upload = build.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    const paths = String(upload.with?.['path']).trim().split('\n').map((p) => p.trim());
    const made = [...targetNames(builder.linux), ...targetNames(builder.win), ...targetNames(builder.mac)].map((t) => EXTENSIONS[t]);
    expect(made).not.toContain(undefined);
    expect(paths.sort()).toEqual([...new Set(made)].map((ext) => `${builder.directories?.output}/*.${ext}`).sort());
    expect(upload.with?.['if-no-files-found']).toBe('error');
  });

  it('attaches them to the tag\'s release once every OS has built', () => {
    expect(release.needs).toBe('installers');
    expect(release.permissions).toEqual({ contents: 'write' });
    const attach = release.steps.find((s) => s.uses?.startsWith('softprops/action-gh-release'));
    expect(attach?.with).toMatchObject({ files: 'installers/*', fail_on_unmatched_files: true });
  });
});

// The desktop app itself, driven by Playwright's Electron API: two profiles
// of one machine (two windows, two peers), a notebook created in one and
// joined from the other with its invite code, a note added in one window and
// shown committed in the other, and both quit gently. It needs an Electron
// binary (ELECTRON_OVERRIDE_DIST_PATH, or the electron package's download);
// where there is none, as on machines that reach only the npm registry, it
// is reported skipped with that reason, never passed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../app/electron-binary.ts';
import { buildApp } from '../../scripts/build-app.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const binary = findElectronBinary();
const apps: ElectronApplication[] = [];
let home = '';

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close().catch(() => {})));
  if (home !== '') await rm(home, { recursive: true, force: true });
});

async function launch(profile: string): Promise<{ app: ElectronApplication; page: Page }> {
  const app = await electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [ROOT, '--profile', profile, '--no-sandbox'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
  });
  apps.push(app);
  const page = await app.firstWindow();
  return { app, page };
}

describe('Desktop', () => {
  if (!binary.ok) {
    it.skip(`skipped: no Electron binary (${binary.reason}); set ELECTRON_OVERRIDE_DIST_PATH to an Electron folder to run it`, () => {});
    return;
  }

  it('runs two profiles side by side: a note added in one window is shown committed in the other, and both quit gently', async () => {
    home = await mkdtemp(join(tmpdir(), 'raftnotes-desktop-'));
    await buildApp();
    const a = await launch('demo-a');
    await a.page.getByRole('textbox', { name: 'Notebook name' }).fill('Desk');
    await a.page.getByRole('button', { name: 'Create notebook' }).click();
    await a.page.getByRole('heading', { level: 1, name: 'Desk' }).waitFor();
    const invite = await a.page.evaluate(async () => {
      const bridge = (globalThis as unknown as { raftnotes: { invite(i: object): Promise<{ ok: boolean; value: { invite: string } }> } }).raftnotes;
      return (await bridge.invite({})).value.invite;
    });
    const b = await launch('demo-b');
    await b.page.getByRole('textbox', { name: 'Invite code' }).fill(invite);
    await b.page.getByRole('button', { name: 'Join notebook' }).click();
    await b.page.getByRole('heading', { level: 1, name: 'Desk' }).waitFor();
    await a.page.getByRole('textbox', { name: 'New note' }).fill('from the first window');
    await a.page.getByRole('button', { name: 'Add note' }).click();
    await b.page.getByRole('list', { name: 'Notes' }).getByText('from the first window').waitFor({ timeout: 30_000 });
    expect(await b.page.getByRole('list', { name: 'Notes' }).getByText('pending').count()).toBe(0);
    for (const { app } of [a, b]) {
      const t0 = Date.now();
      await app.evaluate(({ app: electronApp }) => electronApp.quit());
      await new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
      expect(Date.now() - t0).toBeLessThan(5_000);
    }
  }, 120_000);
});

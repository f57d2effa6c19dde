// The page a peer serves, around its peer's life: the first-run screen creates a
// notebook there and joins it from a second fresh peer's page with the invite
// code the first shows; after a restart of the peer the page follows it again
// (the peer serves at the address it kept in its data directory).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { LOCAL } from '../cluster/cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from '../cluster/peer-process.ts';
import { launchBrowser, openPeerPage } from './ui-helpers.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await killAll();
  await removeDirs();
});

describe('PeerPage', () => {
  it('creates a notebook on one page and joins it with the invite code on another, showing API errors in words', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    await a.start(LOCAL);
    const { page: pageA, problems } = await openPeerPage(browser, a);
    await pageA.getByRole('button', { name: 'Create notebook' }).click();
    await pageA.getByRole('alert').filter({ hasText: 'Give the notebook a name' }).waitFor();
    await pageA.getByRole('textbox', { name: 'Notebook name' }).fill('Field trip');
    await pageA.getByRole('button', { name: 'Create notebook' }).click();
    await pageA.getByRole('heading', { level: 1, name: 'Field trip' }).waitFor();
    await pageA.getByRole('textbox', { name: 'New note' }).fill('bring water');
    await pageA.getByRole('button', { name: 'Add note' }).click();
    await pageA.getByRole('list', { name: 'Notes' }).getByText('bring water').waitFor();
    const invite = await waitFor('the invite code', async () => {
      const value = await pageA.getByRole('textbox', { name: 'Invite code' }).inputValue();
      return value.startsWith('rn1') ? value : undefined;
    });

    const b = new PeerProcess(await tempDir(), 'B');
    await b.start(LOCAL);
    const { page: pageB, problems: problemsB } = await openPeerPage(browser, b, { width: 360, height: 740 });
    await pageB.getByRole('textbox', { name: 'Invite code' }).fill('rn1-not-a-code');
    await pageB.getByRole('button', { name: 'Join notebook' }).click();
    const refusal = pageB.getByRole('alert');
    await refusal.waitFor();
    expect((await refusal.textContent())!.trim().length).toBeGreaterThan(10);
    await pageB.getByRole('textbox', { name: 'Invite code' }).fill(invite);
    await pageB.getByRole('button', { name: 'Join notebook' }).click();
    await pageB.getByRole('heading', { level: 1, name: 'Field trip' }).waitFor();
    await pageB.getByRole('list', { name: 'Notes' }).getByText('bring water').waitFor({ timeout: 30_000 });
    // At 360 px wide nothing sticks out sideways.
    expect(await pageB.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect([...problems.errors, ...problemsB.errors]).toEqual([]);
  }, 90_000);

  it('follows its peer again after the peer restarts at the address it kept, without --api, stopped or killed', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    await a.start(['--create', 'Restarts', ...LOCAL]);
    const { page, problems } = await openPeerPage(browser, a);
    const connection = page.getByRole('status').filter({ hasText: /Live|Connecting|not answering/ });
    await connection.filter({ hasText: 'Live · A' }).waitFor();
    await waitFor('A leads', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect(await a.stop()).toBe(0);
    await connection.filter({ hasText: 'Peer not answering' }).waitFor();
    await a.start(LOCAL);
    await connection.filter({ hasText: 'Live · A' }).waitFor({ timeout: 20_000 });
    await waitFor('A leads again', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect((await a.api('POST', '/api/notes', { text: 'after the restart' })).status).toBe(201);
    await page.getByRole('list', { name: 'Notes' }).getByText('after the restart').waitFor();

    await a.kill();
    await connection.filter({ hasText: 'Peer not answering' }).waitFor();
    await a.start(LOCAL);
    await connection.filter({ hasText: 'Live · A' }).waitFor({ timeout: 20_000 });
    await waitFor('A leads again', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect((await a.api('POST', '/api/notes', { text: 'after the kill' })).status).toBe(201);
    await page.getByRole('list', { name: 'Notes' }).getByText('after the kill').waitFor();
    expect(problems.errors).toEqual([]);
  }, 90_000);
});

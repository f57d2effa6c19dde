// The "Cluster" region on the pages of three real peers: every member with its
// role, leadership handed over from the leader's page, a new leader shown after
// the leader is killed; and pages from elsewhere cannot use a peer's API.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright';
import { LOCAL, leaderOf, startCluster } from '../cluster/cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from '../cluster/peer-process.ts';
import { CHROMIUM_ARGS, openPeerPage } from './ui-helpers.ts';

let browser: Browser;

beforeEach(async () => {
  // rebind.test stands for a DNS-rebinding attacker's name that resolves to the peer's address.
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP evil.test 127.0.0.1'] });
}, 120_000);

afterEach(async () => {
  await browser?.close();
  await killAll();
  await removeDirs();
});

const members = (page: Page) => page.getByRole('region', { name: 'Cluster' }).getByRole('list', { name: 'Members' }).getByRole('listitem');
const member = (page: Page, name: string) => members(page).filter({ has: page.locator('.member-name', { hasText: new RegExp(`^${name}$`) }) });

/** leaderShown is the name of the member a page shows as leader, when exactly one is. */
async function leaderShown(page: Page): Promise<string | undefined> {
  const names: string[] = [];
  for (const item of await members(page).all()) {
    if (/\bleader\b/.test((await item.locator('.role-badge').textContent()) ?? '')) names.push((await item.locator('.member-name').textContent())!);
  }
  return names.length === 1 ? names[0] : undefined;
}

describe('ClusterPage', () => {
  it('lists every member with its role, hands leadership over from the leader page, shows the new leader after the leader dies, and removes the dead member', async () => {
    const peers = await startCluster();
    const pages: Page[] = [];
    const problems: string[][] = [];
    for (const peer of peers) {
      const opened = await openPeerPage(browser, peer);
      pages.push(opened.page);
      problems.push(opened.problems.errors);
    }
    // Every page: three members, one leader and two followers, the leader being the one the peers report
    // (asked again on each try: a busy machine may hold another election meanwhile).
    const leader = await waitFor('every page showing three members and the leader the peers report', async () => {
      const now = await leaderOf(peers);
      for (const page of pages) {
        if ((await members(page).count()) !== 3) return undefined;
        const roles = await members(page).locator('.role-badge').allTextContents();
        if (roles.filter((r) => r === 'leader').length !== 1 || roles.filter((r) => r === 'follower').length !== 2) return undefined;
        if ((await leaderShown(page)) !== now.name) return undefined;
      }
      return now;
    });
    for (const page of pages) {
      for (const p of peers) await member(page, p.name).waitFor();
      // The pages opened after the election: the event log starts with the peer's recent events.
      await page.getByRole('log', { name: 'Event log' }).getByText(/ in term \d+/).first().waitFor();
    }

    // Leadership handed to another member from the leader's page, with confirmation.
    const leaderPage = pages[peers.indexOf(leader)]!;
    const target = peers.find((p) => p !== leader)!;
    await leaderPage.getByRole('button', { name: `Make ${target.name} leader` }).click();
    await leaderPage.getByRole('button', { name: 'Hand over' }).click();
    for (const page of pages) await waitFor(`${target.name} shown as leader`, async () => (await leaderShown(page)) === target.name);

    // The new leader dies: the other pages show the leader elected after it.
    await target.kill();
    const survivors = peers.filter((p) => p !== target);
    const next = await leaderOf(survivors);
    for (const page of survivors.map((p) => pages[peers.indexOf(p)]!)) {
      await waitFor(`${next.name} shown as leader`, async () => (await leaderShown(page)) === next.name, 20_000);
      await waitFor(`${target.name} shown unreachable`, async () => /unreachable/.test((await member(page, target.name).textContent()) ?? ''), 20_000);
    }

    // The dead member removed from the new leader's page, after a confirmation.
    const nextPage = pages[peers.indexOf(next)]!;
    await nextPage.getByRole('button', { name: `Remove ${target.name}` }).click();
    await nextPage.getByText(`Remove ${target.name} from the notebook?`).waitFor();
    expect(await members(nextPage).count()).toBe(3);
    await member(nextPage, target.name).getByRole('button', { name: 'Remove', exact: true }).click();
    for (const page of survivors.map((p) => pages[peers.indexOf(p)]!)) {
      await waitFor('two members left', async () => (await members(page).count()) === 2, 20_000);
    }
    expect(problems.flat()).toEqual([]);
  }, 90_000);

  it('refuses pages from other origins and other host names, even when they know the token', async () => {
    const peer = new PeerProcess(await tempDir(), 'A');
    await peer.start(['--create', 'Private', ...LOCAL]);
    const { api, token } = peer.ready!;
    const port = new URL(api).port;
    // DNS rebinding: the browser asks rebind.test, which resolves to the peer; the Host header gives it away.
    const rebound = await browser.newPage();
    const res = await rebound.goto(`http://rebind.test:${port}/`);
    expect(res!.status()).toBe(403);
    expect(await rebound.content()).not.toContain(token);

    // A page of another origin that knows the token can neither call the API nor read the page.
    const evil: Server = createServer((_req, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end('<p>evil</p>'); });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const evilPort = (evil.address() as { port: number }).port;
      const page = await browser.newPage();
      await page.goto(`http://evil.test:${evilPort}/`);
      const outcome = await page.evaluate(async ({ api, token }) => {
        const tryFetch = async (url: string, init?: RequestInit) => {
          try {
            const r = await fetch(url, init);
            return `${r.status} ${await r.text()}`;
          } catch (error) {
            return `refused: ${(error as Error).name}`;
          }
        };
        return {
          notes: await tryFetch(`${api}/api/notes`, { headers: { authorization: `Bearer ${token}` } }),
          add: await tryFetch(`${api}/api/notes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"text":"evil"}' }),
          page: await tryFetch(`${api}/`),
        };
      }, { api, token });
      expect(outcome).toEqual({ notes: 'refused: TypeError', add: 'refused: TypeError', page: 'refused: TypeError' });
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
    expect((await peer.api('GET', '/api/notes')).body.notes).toEqual([]);
    expect((await fetch(`${api}/api/notes`)).status).toBe(401);
  }, 60_000);
});

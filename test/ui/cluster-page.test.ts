// The "Cluster" region on the pages of three real peers: every member with its
// role, leadership handed over from the leader's page, a new leader shown after
// the leader is killed (over HTTP and over IPC); and pages from elsewhere cannot
// use a peer's API (HTTP: other origins and host names) or the app's bridge
// (IPC: other origins). One browser serves the file.
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright';
import { IpcAdapter } from '../../core/api/ipc/ipc-adapter.ts';
import { createLogger } from '../../core/service/logger.ts';
import { LOCAL, leaderOf } from '../cluster/cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from '../cluster/peer-process.ts';
import { ServicePeer, stopAllServices } from '../cluster/service-peer.ts';
import { IPC_ORIGIN, openIpcPage } from './ipc-page.ts';
import { CHROMIUM_ARGS } from './ui-helpers.ts';
import { UI_TRANSPORTS } from './ui-transports.ts';

let browser: Browser;

beforeAll(async () => {
  // rebind.test stands for a DNS-rebinding attacker's name that resolves to the peer's address.
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP evil.test 127.0.0.1'] });
}, 120_000);

afterEach(async () => {
  await Promise.all((browser?.contexts() ?? []).map((context) => context.close()));
  await killAll();
  await stopAllServices();
  await removeDirs();
});

afterAll(async () => {
  await browser?.close();
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
  // Over IPC the peers run in this process, and a "killed" peer is cut off from the others for good instead (ServicePeer.kill).
  it.each(UI_TRANSPORTS)('lists every member with its role, hands leadership over from the leader page, shows the new leader after the leader dies, and removes the dead member (over $name)', async (transport) => {
    const peers = await transport.startCluster();
    const pages: Page[] = [];
    const problems: string[][] = [];
    for (const peer of peers) {
      const opened = await transport.openPage(browser, peer);
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

  it('refuses the bridge to a page from another origin, which shows the refusal, and serves the app\'s own page (over IPC)', async () => {
    const peer = await ServicePeer.start('A');
    await peer.service.createNotebook('Private');
    const warnings: string[] = [];
    const adapter = new IpcAdapter({ service: peer.service, origin: IPC_ORIGIN, log: createLogger('ipc', { sink: (line) => warnings.push(line) }) });
    // The app's own files from another origin, with window.raftnotes in the page (as the preload would be in a frame that navigated away).
    const evil = await openIpcPage(browser, adapter, { name: 'evil', origin: 'https://evil.test' });
    const refusal = 'Pages from https://evil.test may not use Raftnotes.';
    await evil.page.getByRole('alert').filter({ hasText: refusal }).waitFor();
    const outcome = await evil.page.evaluate(async () => {
      const bridge = (globalThis as unknown as { raftnotes: Record<string, (input: unknown) => Promise<unknown>> }).raftnotes;
      return { notes: await bridge['notes']!({}), add: await bridge['addNote']!({ text: 'evil' }), invite: await bridge['invite']!({}) };
    });
    const refused = { ok: false, error: { code: 'forbidden-origin', message: refusal } };
    expect(outcome).toEqual({ notes: refused, add: refused, invite: refused });
    // No event reached it either: it never learned the notebook's name.
    expect(await evil.page.getByRole('heading', { level: 1 }).textContent()).toBe('Raftnotes');
    expect((await peer.api('GET', '/api/notes')).body.notes).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/warn ipc: event subscription from https:\/\/evil\.test\/index\.html refused/)]);

    // The same files from the app's origin, on the same adapter, are served.
    const own = await openIpcPage(browser, adapter, { name: 'A' });
    await own.page.getByRole('heading', { level: 1, name: 'Private' }).waitFor();
    await own.page.getByRole('list', { name: 'Members' }).getByRole('listitem').first().waitFor();
    expect(await own.page.getByRole('alert').count()).toBe(0);
    expect([...evil.problems.errors, ...own.problems.errors]).toEqual([]);
  }, 60_000);
});

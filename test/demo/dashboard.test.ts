// The demo dashboard in Debian's Chromium: it shows the leader among three
// nodes, "Crash <leader>" brings a new leader, and "Add note on …" shows the
// entry committed in every running node's log, all on ONE event stream
// (/api/demo/events) rather than one per node, which would use up the
// browser's six connections per host with six nodes or more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchBrowser } from '../ui/ui-helpers.ts';
import { DemoProcess, stopAllDemos } from './demo-process.ts';

const NAMES = ['A', 'B', 'C'];
const demo = new DemoProcess();
let browser: Browser | null = null;
const problems: string[] = [];

beforeAll(async () => {
  await demo.start(['--nodes', '3']);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopAllDemos();
}, 60_000);

/** leaderOnPage waits until exactly one of `among` shows the role "leader" in its region and returns its name. */
async function leaderOnPage(page: Page, among = NAMES): Promise<string> {
  const leaders = async () => {
    const roles = await Promise.all(among.map((n) => page.getByRole('region', { name: `Node ${n}` }).locator('.role').textContent()));
    return among.filter((_, i) => roles[i] === 'leader');
  };
  await expect.poll(async () => (await leaders()).length, { timeout: 20_000 }).toBe(1);
  return (await leaders())[0]!;
}

describe('Dashboard', () => {
  it('shows the leader, elects a new one after "Crash", and shows a note committed in every running log', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (msg) => {
      // A call to a crashed peer fails in the console (the proxy answers 502/503); everything else is a defect.
      if (msg.type() === 'error' && !/Failed to load resource|ERR_INCOMPLETE_CHUNKED|ERR_EMPTY_RESPONSE/.test(msg.text())) problems.push(msg.text());
    });
    await page.goto(demo.url);
    for (const name of NAMES) await page.getByRole('region', { name: `Node ${name}` }).waitFor();

    const old = await leaderOnPage(page);
    await page.getByRole('button', { name: `Crash ${old}` }).click();
    const oldRegion = page.getByRole('region', { name: `Node ${old}` });
    await expect.poll(() => oldRegion.locator('.role').textContent(), { timeout: 10_000 }).toBe('stopped');
    await oldRegion.getByRole('button', { name: `Restart ${old}` }).waitFor();
    const survivors = NAMES.filter((n) => n !== old);
    const next = await leaderOnPage(page, survivors);
    expect(next).not.toBe(old);

    const follower = survivors.find((n) => n !== next)!;
    await page.getByRole('textbox', { name: 'Note text' }).fill('set 5');
    await page.getByRole('button', { name: `Add note on ${follower}` }).click();
    for (const name of survivors) {
      const entry = page.getByRole('list', { name: `Log of ${name}` }).getByRole('listitem').filter({ hasText: 'add "set 5"' });
      await expect.poll(async () => (await entry.count()) === 1 ? entry.textContent() : null, { timeout: 15_000 })
        .toMatch(/, committed · add "set 5" by /);
    }
    await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).textContent()).toMatch(new RegExp(`${next} is leader of term \\d+`));
    // Peer ids are shown as node names, also in lines heard before the page knew every node's id.
    expect(await page.getByRole('region', { name: 'Timeline' }).textContent()).not.toMatch(/12D3Koo/);
    if (process.env['DEMO_SCREENSHOT']) await page.screenshot({ path: process.env['DEMO_SCREENSHOT'], fullPage: true });
    expect(problems).toEqual([]);
    expect(requests.filter((p) => p === '/api/demo/events')).toHaveLength(1);
    expect(requests.filter((p) => /^\/peers\/[^/]+\/api\/events$/.test(p))).toEqual([]);
    expect(requests.filter((p) => /^\/peers\/[^/]+\/api\/log$/.test(p)).length).toBeGreaterThan(0);
    await page.close();
  }, 90_000);
});

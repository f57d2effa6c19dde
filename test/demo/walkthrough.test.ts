// The walkthrough on real peers, in Debian's Chromium against `raftnotes demo
// --nodes 5`: an election shows a candidate, vote messages and a new leader,
// in that order; pausing the clocks stops elections and resuming brings one;
// the seeds' partition with classic Raft shows two leaders in different
// terms and a hatched entry on the minority, replaced after the heal by the
// majority's log on every node; the guided walkthrough reaches its last step
// with the expected state at each one (a screenshot per step is kept in
// test-results/walkthrough/); and axe finds no serious or critical problem.
import { mkdir } from 'node:fs/promises';
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchBrowser } from '../ui/ui-helpers.ts';
import { DemoProcess, stopAllDemos } from './demo-process.ts';

const NAMES = ['A', 'B', 'C', 'D', 'E'];
const SHOTS = new URL('../../test-results/walkthrough/', import.meta.url).pathname;
const demo = new DemoProcess();
let browser: Browser | null = null;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await demo.start(['--nodes', '5']);
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1500, height: 1100 } })).newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|ERR_INCOMPLETE_CHUNKED|ERR_EMPTY_RESPONSE/.test(msg.text())) problems.push(msg.text());
  });
  await page.goto(demo.url);
  for (const name of NAMES) await page.getByRole('region', { name: `Node ${name}` }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopAllDemos();
}, 60_000);

const region = (name: string) => page.getByRole('region', { name: `Node ${name}` });
const role = (name: string) => region(name).locator('.role').textContent();

/** leaderOnPage waits until exactly one of `among` shows "leader" and returns it. */
async function leaderOnPage(among = NAMES, timeout = 30_000): Promise<string> {
  const leaders = async () => {
    const roles = await Promise.all(among.map(role));
    return among.filter((_, i) => roles[i] === 'leader');
  };
  await expect.poll(async () => (await leaders()).length, { timeout }).toBe(1);
  return (await leaders())[0]!;
}

/** timeline is the timeline's lines, newest first. */
async function timeline(): Promise<string[]> {
  return page.getByRole('region', { name: 'Timeline' }).getByRole('listitem').allTextContents();
}

async function termOf(name: string): Promise<number> {
  return (await demo.peerApi(name, 'GET', '/api/status')).body.term as number;
}

async function everyoneRunning(): Promise<void> {
  for (const name of NAMES) await expect.poll(() => role(name), { timeout: 30_000 }).toMatch(/^(leader|follower)$/);
}

describe('Walkthrough', () => {
  it('shows an election: a candidate, its vote requests and votes, then the new leader, in that order', async () => {
    const old = await leaderOnPage();
    await page.getByRole('button', { name: `Crash ${old}` }).click();
    const next = await leaderOnPage(NAMES.filter((n) => n !== old));
    const term = await termOf(next);
    const candidate = `${next} times out and becomes a candidate for term ${term}`;
    const vote = new RegExp(`[A-E] votes for ${next} in term ${term}`);
    const leads = `${next} is leader of term ${term}`;
    await expect.poll(async () => {
      const lines = await timeline();
      const at = (test: (l: string) => boolean) => lines.findLastIndex(test); // the oldest such line (newest first)
      const [c, v, l] = [at((x) => x.includes(candidate)), at((x) => vote.test(x)), at((x) => x.includes(leads))];
      return c >= 0 && v >= 0 && l >= 0 && c > v && v > l;
    }, { timeout: 15_000 }).toBe(true);
    const messages = page.getByRole('log', { name: 'Messages' });
    await expect.poll(() => messages.textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${next} → [A-E] (RequestVote term ${term}|heartbeat term ${term}|AppendEntries term ${term})`));
    await page.getByRole('button', { name: `Restart ${old}` }).click();
    await everyoneRunning();
  }, 120_000);

  it('stops elections while the clocks are paused (no term change in 5 s with the leader crashed), and elects one when resumed', async () => {
    const old = await leaderOnPage();
    await page.getByRole('button', { name: 'Pause clocks' }).click();
    await page.getByRole('button', { name: 'Resume clocks' }).waitFor();
    // Every peer says its clock is paused (POST /api/lab without a change answers its settings).
    for (const name of NAMES) expect((await demo.peerApi(name, 'POST', '/api/lab', {})).body).toMatchObject({ paused: true });
    await page.getByRole('button', { name: `Crash ${old}` }).click();
    const others = NAMES.filter((n) => n !== old);
    const terms = await Promise.all(others.map(termOf));
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await Promise.all(others.map(termOf))).toEqual(terms);
    expect(await Promise.all(others.map(role))).not.toContain('leader');
    await page.getByRole('button', { name: 'Resume clocks' }).click();
    await leaderOnPage(others);
    await page.getByRole('button', { name: `Restart ${old}` }).click();
    await everyoneRunning();
  }, 120_000);

  it('counts an isolated node in the header, and keeps its Reconnect live while its note waits for a majority', async () => {
    const leader = await leaderOnPage();
    const node = NAMES.find((n) => n !== leader)!;
    await page.getByRole('button', { name: `Isolate ${node}` }).click();
    await expect.poll(() => page.locator('.summary').textContent(), { timeout: 10_000 }).toContain('1 isolated');
    await page.getByRole('textbox', { name: 'Note text' }).fill('written offline');
    await page.getByRole('button', { name: `Add note on ${node}` }).click();
    await expect.poll(() => region(node).textContent()).toContain('note waiting for a majority');
    expect(await page.getByRole('button', { name: `Reconnect ${node}` }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: `Reconnect ${node}` }).click();
    await expect.poll(() => page.getByRole('list', { name: `Log of ${leader}` }).textContent(), { timeout: 30_000 }).toMatch(/committed · add "written offline"/);
    await expect.poll(() => page.locator('.summary').textContent()).not.toContain('isolated');
  }, 90_000);

  it('plays the seeds\' partition with classic Raft: two leaders in different terms, a hatched entry on the minority, replaced after the heal', async () => {
    // Classic Raft has no defence against a node that misses heartbeats: at 10 ms a tick, a loaded machine's pauses
    // start elections all the time. At 100 ms a tick (timeouts of 1.5 to 3 s, as a class would play it) it holds.
    await page.getByRole('slider', { name: 'Tick length' }).fill('100');
    await expect.poll(async () => (await demo.call('GET', '/api/demo/lab')).body.tickMs).toBe(100);
    await page.getByRole('checkbox', { name: 'PreVote' }).uncheck();
    await page.getByRole('checkbox', { name: 'CheckQuorum' }).uncheck();
    await expect.poll(async () => (await demo.call('GET', '/api/demo/lab')).body).toMatchObject({ preVote: false, checkQuorum: false });
    if (await leaderOnPage() !== 'B') await page.getByRole('button', { name: 'Make B leader' }).click();
    await expect.poll(() => leaderOnPage(), { timeout: 15_000 }).toBe('B');
    const oldTerm = await termOf('B');
    await page.getByRole('button', { name: 'Seeds\' partition' }).click();
    const majority = await leaderOnPage(['C', 'D', 'E']);
    expect(await role('B')).toBe('leader');
    expect(await termOf(majority)).toBeGreaterThan(oldTerm);
    await expect.poll(() => page.locator('.summary').textContent()).toContain('2 nodes think they lead');
    await expect.poll(() => page.locator('.summary').textContent()).toContain('partition A B | C D E');

    await page.getByRole('textbox', { name: 'Note text' }).fill('set 3');
    await page.getByRole('button', { name: 'Add note on B' }).click();
    const hatched = page.getByRole('list', { name: 'Log of B' }).getByRole('listitem').filter({ hasText: 'uncommitted · add "set 3"' });
    await expect.poll(() => hatched.count(), { timeout: 10_000 }).toBe(1);
    // A pending note never disables the node's other buttons.
    expect(await region('B').getByRole('button', { name: 'Isolate B' }).isEnabled()).toBe(true);
    await page.getByRole('textbox', { name: 'Note text' }).fill('set 8');
    await page.getByRole('button', { name: `Add note on ${majority}` }).click();
    await page.screenshot({ path: `${SHOTS}partition.png`, fullPage: true });

    await page.getByRole('button', { name: 'Heal' }).click();
    // The minority's terms rose while cut off (classic Raft): on the heal they disrupt the majority once; its log wins.
    await expect.poll(() => leaderOnPage(), { timeout: 30_000 }).toMatch(/^[CDE]$/);
    for (const name of NAMES) {
      const log = page.getByRole('list', { name: `Log of ${name}` }).getByRole('listitem');
      await expect.poll(async () => (await log.filter({ hasText: ', committed · add "set 8"' }).count()), { timeout: 30_000 }).toBe(1);
      await expect.poll(async () => (await log.filter({ hasText: ', committed · add "set 3"' }).count()), { timeout: 30_000 }).toBe(1);
    }
    // B's uncommitted entry was replaced by the new leader's: shown struck through for a while.
    await expect.poll(() => page.getByRole('list', { name: 'Log of B' }).textContent()).toMatch(/it replaced entry \d+ of term \d+ · add "set 3"/);
    await page.screenshot({ path: `${SHOTS}healed.png`, fullPage: true });
    await page.getByRole('checkbox', { name: 'PreVote' }).check();
    await page.getByRole('checkbox', { name: 'CheckQuorum' }).check();
  }, 180_000);

  it('reaches the last step of the walkthrough with the expected cluster state at each step', async () => {
    await page.getByRole('button', { name: 'Walkthrough' }).click();
    const panel = page.getByRole('region', { name: 'Walkthrough' });
    const next = panel.getByRole('button', { name: 'Next' });
    const expectations: Record<string, () => Promise<void>> = {
      'Five real peers': async () => {
        expect((await demo.call('GET', '/api/demo/lab')).body).toMatchObject({ tickMs: 100, groups: [] });
        await leaderOnPage();
      },
      'Leader election': async () => { await leaderOnPage(); expect(await page.locator('.role', { hasText: 'stopped' }).count()).toBe(1); },
      'A new term': async () => { await everyoneRunning(); },
      'Split vote': async () => {
        await leaderOnPage();
        // Both timed out on the same tick: two candidates for one term (whoever then won).
        const lines = await timeline();
        const terms = (name: string) => lines.flatMap((l) => l.match(new RegExp(`${name} times out and becomes a candidate for term (\\d+)`))?.[1] ?? []);
        const candidates = NAMES.filter((n) => terms(n).length > 0);
        expect(candidates.some((a) => candidates.some((b) => a < b && terms(a).some((t) => terms(b).includes(t))))).toBe(true);
        await everyoneRunning();
      },
      'Log replication: set 5': async () => {
        await expect.poll(() => page.getByRole('list', { name: 'Log of A' }).textContent(), { timeout: 15_000 }).toMatch(/committed · add "set 5"/);
      },
      'add 2': async () => {
        await expect.poll(() => page.getByRole('list', { name: 'Log of E' }).textContent(), { timeout: 15_000 }).toMatch(/committed · add "add 2"/);
      },
      'Classic Raft': async () => {
        expect((await demo.call('GET', '/api/demo/lab')).body).toMatchObject({ preVote: false, checkQuorum: false });
        expect(await leaderOnPage()).toBe('B');
      },
      'A partition': async () => {
        expect(await role('B')).toBe('leader');
        const majority = await leaderOnPage(['C', 'D', 'E']);
        expect(await termOf(majority)).toBeGreaterThan(await termOf('B'));
      },
      'Writes on both sides': async () => {
        await expect.poll(() => page.getByRole('list', { name: 'Log of B' }).textContent(), { timeout: 10_000 }).toMatch(/uncommitted · add "set 3"/);
      },
      'Heal': async () => {
        for (const name of NAMES) {
          await expect.poll(() => page.getByRole('list', { name: `Log of ${name}` }).textContent(), { timeout: 30_000 }).toMatch(/committed · add "set 8"/);
        }
      },
      'Consensus': async () => {
        expect(await page.locator('.summary').textContent()).toMatch(/Leader: [C-E]/);
      },
    };
    for (let step = 1; ; step++) {
      const heading = panel.getByRole('heading');
      await expect.poll(() => heading.textContent()).toContain(`Step ${step} of`);
      await expect.poll(() => panel.getByText('Playing it on the peers…').count(), { timeout: 90_000 }).toBe(0);
      expect(await panel.getByRole('alert').count()).toBe(0);
      const title = (await heading.textContent())!.replace(/^Step \d+ of \d+: /, '');
      await expectations[title]!();
      await page.screenshot({ path: `${SHOTS}step-${String(step).padStart(2, '0')}.png`, fullPage: true });
      if (!(await next.isEnabled())) break;
      await next.click();
    }
    expect(await panel.getByRole('heading').textContent()).toMatch(/Step 11 of 11: Consensus/);
    await panel.getByRole('button', { name: 'Back' }).click();
    await expect.poll(() => panel.getByRole('heading').textContent()).toContain('Step 10 of 11: Heal');
  }, 300_000);

  it('makes groups by dragging nodes on the circle, cuts the cluster into them, and heals', async () => {
    await page.getByRole('button', { name: 'Close walkthrough' }).click();
    const nodes = page.locator('.circle .node-dot');
    const centre = async (i: number) => {
      const box = (await nodes.nth(i).boundingBox())!;
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 4 });
      await page.mouse.up();
    };
    const svg = (await page.locator('.circle svg').boundingBox())!;
    await drag(await centre(4), { x: svg.x + svg.width / 2, y: svg.y + svg.height / 2 }); // E off to a group of its own
    await drag(await centre(3), await centre(4)); // D onto E
    expect(await page.getByRole('combobox', { name: 'Group of E' }).inputValue()).toBe('2');
    expect(await page.getByRole('combobox', { name: 'Group of D' }).inputValue()).toBe('2');
    await page.getByRole('button', { name: 'Cut into groups' }).click();
    await expect.poll(async () => (await demo.call('GET', '/api/demo/lab')).body.groups).toEqual([['A', 'B', 'C'], ['D', 'E']]);
    await expect.poll(() => page.locator('.summary').textContent()).toContain('partition A B C | D E');
    await page.getByRole('button', { name: 'Heal' }).click();
    await expect.poll(async () => (await demo.call('GET', '/api/demo/lab')).body.groups).toEqual([]);
  }, 60_000);

  it('has no serious or critical accessibility problem (axe)', async () => {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.failureSummary ?? '').slice(0, 1).join('')} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});

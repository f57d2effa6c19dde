// What people expect of the notes page, on three real peers, over HTTP (peer
// processes serving their pages) and over IPC (the desktop app's renderer over
// window.raftnotes): an honest header and composer while offline, notes
// numbered #1, #2, #3…, one key convention for adding and editing, search and
// filters, Markdown that never runs HTML, undo of a delete, copy, and a page
// that axe finds no serious fault in, in the light and the dark theme, whose
// Tab order reaches the cluster without walking every note.
// One browser serves the file, and one cluster each transport's tests, in order.
import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { leaderOf, texts } from '../cluster/cluster-helpers.ts';
import { waitFor } from '../cluster/peer-process.ts';
import { launchBrowser, type PageProblems } from './ui-helpers.ts';
import { UI_TRANSPORTS, type UiPage, type UiPeer } from './ui-transports.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const notesList = (page: Page) => page.getByRole('list', { name: 'Notes' });
const noteItem = (page: Page, text: string) => notesList(page).getByRole('listitem').filter({ hasText: text });

/** untilAllShown waits until the page counts every note its peer holds (the list shows only those in view). */
async function untilAllShown(page: Page, peer: UiPeer, timeout = 30_000): Promise<Array<{ number: number; text: string }>> {
  const { notes } = (await peer.api('GET', '/api/notes')).body;
  await expect.poll(() => page.locator('#notes-heading + .count').textContent(), { timeout })
    .toMatch(new RegExp(`^${notes.length.toLocaleString('en')} committed`));
  return notes;
}

async function addOnPage(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'New note' }).fill(text);
  await page.keyboard.press('Enter');
}

/** seriousViolations are axe's serious and critical findings on the page, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Legacy mode: the pages come from browser.newPage(), whose context cannot open the extra page axe's default mode wants.
  const { violations } = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe.each(UI_TRANSPORTS)('NotesPageUx over $name', (transport) => {
  let peers: UiPeer[];
  let opened: UiPage[];
  let pages: Page[];
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    peers = await transport.startCluster();
    opened = [];
    for (const peer of peers) opened.push(await transport.openPage(browser, peer));
    pages = opened.map((o) => o.page);
    problems.push(...opened.map((o) => o.problems));
  }, 120_000);

  afterAll(async () => {
    await Promise.all((pages ?? []).map((page) => page.close()));
    await transport.cleanup();
  });

  it('numbers notes #1, #2, #3 in the notebook, not by log index', async () => {
    for (const text of ['numbered one', 'numbered two', 'numbered three']) {
      expect((await peers[0]!.api('POST', '/api/notes', { text })).status).toBe(201);
    }
    const { body } = await peers[0]!.api('GET', '/api/notes');
    const added = body.notes as Array<{ number: number; seq: number }>;
    expect(added.map((n) => n.number)).toEqual([1, 2, 3]);
    // The log also holds the leader's no-op and the membership changes: the log indexes are not 1, 2, 3.
    expect(added.map((n) => n.seq)).not.toEqual([1, 2, 3]);
    const page = pages[1]!;
    await noteItem(page, 'numbered three').waitFor();
    expect(await notesList(page).locator('.note-meta .number').allTextContents()).toEqual(['#1', '#2', '#3']);
    for (const n of added) expect(await notesList(page).textContent()).not.toContain(`#${n.seq} `);
  });

  it('adds and saves with Enter, shows the keys, and keeps the focus on "Edit" after Esc', async () => {
    const page = pages[0]!;
    const box = page.getByRole('textbox', { name: 'New note' });
    await expect.poll(async () => (await page.locator('#new-note-keys').textContent())?.trim()).toBe('Enter adds · Shift+Enter for a new line');
    await box.fill('line one');
    await box.press('End');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    await waitFor('the two-line note committed', async () => (await texts(peers[0]!)).includes('line one\nline two'));

    const note = (await peers[0]!.api('GET', '/api/notes')).body.notes.find((n: { text: string }) => n.text === 'line one\nline two');
    await page.getByRole('button', { name: `Edit note #${note.number}` }).click();
    const editor = page.getByRole('textbox', { name: 'Edit note' });
    expect(await page.getByText('Enter saves · Shift+Enter for a new line · Esc cancels').isVisible()).toBe(true);
    await editor.fill('edited with Enter');
    await editor.press('Enter');
    await waitFor('the edit saved by Enter', async () => (await texts(peers[1]!)).includes('edited with Enter'));

    await page.getByRole('button', { name: `Edit note #${note.number}` }).click();
    await editor.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Edit note #${note.number}`);
  });

  it('renders Markdown, never runs HTML in a note, and folds a long note behind "Show more"', async () => {
    const page = pages[2]!;
    const hostile = '**bold words** and [a link](https://example.com) and [click](javascript:window.__pwned=3)\n\n<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>';
    expect((await peers[0]!.api('POST', '/api/notes', { text: hostile })).status).toBe(201);
    const item = noteItem(page, 'bold words');
    await item.waitFor();
    expect(await item.locator('strong').textContent()).toBe('bold words');
    expect(await item.getByRole('link', { name: 'a link' }).getAttribute('href')).toBe('https://example.com');
    // Raw HTML shows as the text it is; a javascript: link loses its address.
    expect(await item.locator('img, script').count()).toBe(0);
    expect(await item.textContent()).toContain('<img src=x onerror="window.__pwned = 1"><script>');
    expect(await item.locator('a[href^="javascript"]').count()).toBe(0);
    await item.getByText('click', { exact: true }).click();
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    const long = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of a long note`).join('\n');
    expect((await peers[0]!.api('POST', '/api/notes', { text: long })).status).toBe(201);
    const longItem = noteItem(page, 'line 1 of a long note');
    await longItem.waitFor();
    const more = longItem.getByRole('button', { name: 'Show more' });
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    const text = longItem.locator('.note-text');
    expect(await text.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    const folded = (await longItem.boundingBox())!.height;
    await more.click();
    await longItem.getByRole('button', { name: 'Show less' }).waitFor();
    expect(await text.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(false);
    await expect.poll(async () => (await longItem.boundingBox())!.height).toBeGreaterThan(folded * 1.5);
    expect(problems.flatMap((p) => p.errors)).toEqual([]);
  });

  it('finds notes by text, author and pending, shows newest first, and jumps to a note', async () => {
    const [pageA] = pages as [Page];
    expect((await peers[1]!.api('POST', '/api/notes', { text: 'a needle from B' })).status).toBe(201);
    expect((await peers[0]!.api('POST', '/api/notes', { text: 'another NEEDLE, from A' })).status).toBe(201);
    await noteItem(pageA, 'a needle from B').waitFor();
    await noteItem(pageA, 'another NEEDLE, from A').waitFor();
    const shown = async () => (await notesList(pageA).locator('.note-text').allTextContents()).map((t) => t.trim());

    await pageA.getByRole('searchbox', { name: 'Search notes' }).fill('needle');
    await expect.poll(shown).toEqual(['a needle from B', 'another NEEDLE, from A']);
    await pageA.getByRole('combobox', { name: 'Author' }).selectOption('B');
    await expect.poll(shown).toEqual(['a needle from B']);
    await pageA.getByRole('combobox', { name: 'Author' }).selectOption('');
    await pageA.getByRole('combobox', { name: 'Order' }).selectOption('newest');
    await expect.poll(shown).toEqual(['another NEEDLE, from A', 'a needle from B']);
    await pageA.getByRole('checkbox', { name: 'Only pending' }).check();
    await expect.poll(shown).toEqual([]);
    await pageA.getByRole('checkbox', { name: 'Only pending' }).uncheck();
    await pageA.getByRole('searchbox', { name: 'Search notes' }).fill('');
    await pageA.getByRole('combobox', { name: 'Order' }).selectOption('oldest');

    // Go to note #2, with a filter that hides it: the filter gives way, the note gets the focus.
    await pageA.getByRole('searchbox', { name: 'Search notes' }).fill('needle');
    await pageA.getByRole('textbox', { name: 'Go to note' }).fill('2');
    await pageA.getByRole('button', { name: 'Go', exact: true }).click();
    await expect.poll(() => pageA.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Note #2 by /);
    expect(await pageA.getByRole('searchbox', { name: 'Search notes' }).inputValue()).toBe('');
    await pageA.getByRole('textbox', { name: 'Go to note' }).fill('999');
    await pageA.getByRole('button', { name: 'Go', exact: true }).click();
    await pageA.getByRole('alert').filter({ hasText: 'There is no note #999' }).waitFor();
  });

  it('undoes a delete within a few seconds, deletes for good without "Undo", and copies a note', async () => {
    const page = pages[1]!;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const { body } = await peers[0]!.api('POST', '/api/notes', { text: 'keep me, please' });
    const kept = body.note as { id: string; number: number };
    await noteItem(page, 'keep me, please').waitFor();

    await page.getByRole('button', { name: `Copy note #${kept.number}` }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('keep me, please');

    await page.getByRole('button', { name: `Delete note #${kept.number}` }).click();
    await noteItem(page, 'keep me, please').waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`Note #${kept.number} deleted.`).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await noteItem(page, 'keep me, please').waitFor();
    // Past the undo time, the note is still in the notebook.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(await texts(peers[0]!)).toContain('keep me, please');

    await page.getByRole('button', { name: `Delete note #${kept.number}` }).click();
    await waitFor('the delete sent once the undo time is over', async () => !(await texts(peers[2]!)).includes('keep me, please'), 20_000);
    await noteItem(pages[0]!, 'keep me, please').waitFor({ state: 'detached' });
  });

  it('says "Offline", not "Live", while cut off, and drops "No majority answered yet" once the note commits after "Reconnect"', async () => {
    const leader = await leaderOf(peers);
    const index = peers.findIndex((p) => p !== leader);
    const page = pages[index]!;
    const header = page.locator('header').getByRole('status');
    await expect.poll(() => header.textContent()).toMatch(/Live/);
    const cluster = page.getByRole('region', { name: 'Cluster' });
    await cluster.getByRole('button', { name: 'Go offline' }).click();
    await cluster.getByRole('button', { name: 'Reconnect' }).waitFor();
    await expect.poll(() => header.textContent()).toMatch(/Offline/);
    expect(await header.textContent()).not.toMatch(/Live/);

    await addOnPage(page, 'waiting for a majority');
    const notice = page.getByRole('status').filter({ hasText: 'No majority answered yet' });
    await notice.waitFor({ timeout: 20_000 });
    await page.getByRole('checkbox', { name: 'Only pending' }).check();
    await expect.poll(async () => (await notesList(page).locator('.note-text').allTextContents()).map((t) => t.trim())).toEqual(['waiting for a majority']);
    await page.getByRole('checkbox', { name: 'Only pending' }).uncheck();

    await cluster.getByRole('button', { name: 'Reconnect' }).click();
    await expect.poll(() => header.textContent(), { timeout: 10_000 }).toMatch(/Live/);
    await notice.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await texts(leader)).toContain('waiting for a majority');
  }, 60_000);

  it('has no serious accessibility fault in the light or the dark theme, skip links, and a Tab order that reaches the cluster past the notes', async () => {
    const page = pages[0]!;
    await Promise.all(Array.from({ length: 25 }, (_, i) => peers[0]!.api('POST', '/api/notes', { text: `filler ${i + 1}` })));
    await untilAllShown(page, peers[0]!);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousViolations(page), colorScheme).toEqual([]);
    }
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).not.toBe(background);

    // The event log is a live region around a list, each line an item.
    const log = page.getByRole('log', { name: 'Event log' });
    expect(await log.getByRole('list').getByRole('listitem').count()).toBeGreaterThan(0);

    // The first Tab reaches the skip links; "Skip to cluster" moves the focus there.
    // (A freshly loaded page: Tab starts from its top.)
    await page.reload();
    await page.getByRole('textbox', { name: 'New note' }).waitFor();
    await untilAllShown(page, peers[0]!);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to notes');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to cluster');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('cluster');

    // From "New note", the cluster's first button is a few Tabs away, not 3 per note.
    await page.getByRole('textbox', { name: 'New note' }).focus();
    let presses = 0;
    const inCluster = () => page.evaluate(() => document.activeElement?.closest('#cluster') !== null);
    while (!(await inCluster()) && presses < 40) {
      await page.keyboard.press('Tab');
      presses++;
    }
    expect(await inCluster()).toBe(true);
    expect(presses).toBeLessThan(16);
    // In the list, the arrow keys move from note to note.
    const first = notesList(page).locator('.note').first();
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Note #2 by /);
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('filler');
  });

  it('shows a list of 2,000 notes with only the notes in view in the page', async () => {
    const page = pages[2]!;
    const before = (await peers[0]!.api('GET', '/api/notes')).body.notes.length as number;
    const wanted = 2_000 - before;
    for (let i = 0; i < wanted; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, wanted - i) }, (_, j) => peers[0]!.api('POST', '/api/notes', { text: `bulk ${i + j + 1}` })));
    }
    const notes = await untilAllShown(page, peers[0]!);
    expect(notes).toHaveLength(2_000);
    const items = notesList(page).getByRole('listitem');
    expect(await items.first().getAttribute('aria-setsize')).toBe('2000');
    expect(await items.count()).toBeLessThan(100);
    await notesList(page).locator('.note').first().focus();
    await page.keyboard.press('End');
    const last = notes.at(-1)!;
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Note #${last.number} by A`);
    expect(await noteItem(page, last.text).isVisible()).toBe(true);
  }, 120_000);

  it('does not show green "reachable" dots on the page of a peer that stopped answering', async () => {
    // Over IPC the page and its peer live and die together: only a peer process can stop answering its page.
    if (transport.name === 'IPC') return;
    const index = 2;
    const page = pages[index]!;
    const cluster = page.getByRole('region', { name: 'Cluster' });
    await expect.poll(() => cluster.locator('.dot.ok').count()).toBeGreaterThan(0);
    await peers[index]!.kill();
    await page.locator('header').getByText(/Peer not answering/).waitFor({ timeout: 20_000 });
    expect(await cluster.locator('.dot.ok').count()).toBe(0);
    expect(await cluster.getByText('reachable', { exact: true }).count()).toBe(0);
    expect(await cluster.getByText('reachability unknown').count()).toBe(3);
  });
});

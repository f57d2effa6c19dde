// The notes on the pages of three real peers: a note added on one page shows
// on another; edit and delete name the version seen, and a 409 shows the
// current text to retry from; a peer gone offline shows its notes as pending
// until it reconnects, then every page shows one order, and its offline edit
// that lost to an online one as refused until the user dismisses it.
// Each scenario runs over HTTP (peer processes serving their pages) and over
// IPC (the desktop app's renderer over window.raftnotes, peers in this process).
// One browser serves the file, and one cluster each transport's tests, in order (each browser test costs seconds).
import { readFile } from 'node:fs/promises';
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

/** shownTexts is the text of every note a page lists, in order. */
async function shownTexts(page: Page): Promise<string[]> {
  return (await notesList(page).locator('.note-text').allTextContents()).map((t) => t.trim());
}

async function addOnPage(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'New note' }).fill(text);
  await page.keyboard.press('Enter');
}

describe.each(UI_TRANSPORTS)('NotesPage over $name', (transport) => {
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

  it('shows a note added on one page on the page of another peer', async () => {
    await addOnPage(pages[0]!, 'first from A');
    await noteItem(pages[1]!, 'first from A').waitFor();
    await noteItem(pages[2]!, 'first from A').waitFor();
    expect(await pages[0]!.getByRole('textbox', { name: 'New note' }).inputValue()).toBe('');
    expect(await texts(peers[1]!)).toEqual(['first from A']);
    const [download] = await Promise.all([pages[1]!.waitForEvent('download'), pages[1]!.getByRole('button', { name: 'Export Markdown' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^raftnotes-.*\.md$/);
    expect(await readFile((await download.path())!, 'utf8')).toMatch(/^# Team notes\n[\s\S]*first from A/);
  });

  it('edits and deletes a note, and shows the current text after a 409 conflict so the user can retry', async () => {
    const [pageA, pageB, pageC] = pages as [Page, Page, Page];
    const { body } = await peers[0]!.api('POST', '/api/notes', { text: 'plan v1' });
    const note = body.note as { id: string; number: number };
    await noteItem(pageB, 'plan v1').waitFor();

    // An edit of the version on screen.
    await pageB.getByRole('button', { name: `Edit note #${note.number}` }).click();
    await pageB.getByRole('textbox', { name: 'Edit note' }).fill('plan v2 by B');
    await pageB.getByRole('button', { name: 'Save', exact: true }).click();
    await noteItem(pageA, 'plan v2 by B').waitFor();

    // Meanwhile someone else changes the note that B is editing: B's save is refused with the current text.
    await pageB.getByRole('button', { name: `Edit note #${note.number}` }).click();
    await pageB.getByRole('textbox', { name: 'Edit note' }).fill('plan v3 by B');
    const other = await peers[2]!.api('PUT', `/api/notes/${note.id}`, { text: 'plan v3 by C', version: 2 });
    expect(other.status).toBe(200);
    await pageB.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = noteItem(pageB, 'plan v3 by C').getByRole('alert');
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/changed this note/);
    expect(await texts(peers[0]!)).toContain('plan v3 by C');
    await pageB.getByRole('button', { name: 'Save my text anyway' }).click();
    await noteItem(pageC, 'plan v3 by B').waitFor();
    expect((await peers[2]!.api('GET', '/api/notes')).body.notes.find((n: { id: string }) => n.id === note.id))
      .toMatchObject({ text: 'plan v3 by B', version: 4 });

    await pageC.getByRole('button', { name: `Delete note #${note.number}` }).click();
    await waitFor('the note gone from every page', async () => {
      for (const page of pages) if ((await shownTexts(page)).some((t) => t.startsWith('plan'))) return false;
      return true;
    });
    expect(await texts(peers[1]!)).toEqual(['first from A']);
  });

  it('marks notes written on an offline peer "pending", commits them after "Reconnect" in one order on every page, and shows a refused offline edit until dismissed', async () => {
    const leader = await leaderOf(peers);
    const lonelyIndex = peers.findIndex((p) => p !== leader);
    const lonely = pages[lonelyIndex]!;
    const leaderPage = pages[peers.indexOf(leader)]!;
    const cluster = lonely.getByRole('region', { name: 'Cluster' });
    await cluster.getByRole('button', { name: 'Go offline' }).click();
    await cluster.getByRole('button', { name: 'Reconnect' }).waitFor();

    await addOnPage(lonely, 'written offline');
    const pendingItem = noteItem(lonely, 'written offline');
    await waitFor('the offline note marked pending', async () => /\bpending\b/.test((await pendingItem.textContent()) ?? ''), 20_000);
    await addOnPage(leaderPage, 'written online');
    await noteItem(leaderPage, 'written online').waitFor();
    expect(await shownTexts(lonely)).not.toContain('written online');

    // An offline edit of a note that is changed online meanwhile: refused once it arrives, shown until dismissed.
    const first = (await leader.api('GET', '/api/notes')).body.notes[0] as { id: string; number: number; version: number };
    await lonely.getByRole('button', { name: `Edit note #${first.number}` }).click();
    await lonely.getByRole('textbox', { name: 'Edit note' }).fill('first (offline edit)');
    await lonely.getByRole('button', { name: 'Save', exact: true }).click();
    await noteItem(lonely, 'first from A').getByText('edit pending').waitFor({ timeout: 20_000 });
    expect((await leader.api('PUT', `/api/notes/${first.id}`, { text: 'first (online edit)', version: first.version })).status).toBe(200);
    expect((await peers[lonelyIndex]!.api('GET', '/api/notes')).body.pending).toHaveLength(2);

    await cluster.getByRole('button', { name: 'Reconnect' }).click();
    await cluster.getByRole('button', { name: 'Go offline' }).waitFor();
    const refused = lonely.getByRole('list', { name: 'Conflicts' }).getByRole('listitem');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.textContent()).toMatch(/first \(offline edit\)[\s\S]*first \(online edit\)/);
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    await refused.waitFor({ state: 'detached' });
    expect((await peers[lonelyIndex]!.api('GET', '/api/notes')).body.conflicts).toEqual([]);
    const wanted = ['first (online edit)', 'written online', 'written offline'];
    const order = await waitFor('every page shows both notes committed, in one order', async () => {
      const shown = await Promise.all(pages.map(shownTexts));
      const committed = await Promise.all(pages.map(async (p) => !/\bpending\b/.test((await notesList(p).textContent()) ?? '')));
      const first = shown[0]!;
      return committed.every(Boolean) && wanted.every((w) => first.filter((t) => t === w).length === 1)
        && shown.every((s) => JSON.stringify(s) === JSON.stringify(first)) ? first : undefined;
    }, 30_000);
    expect(await texts(peers[0]!)).toEqual(order);
    expect(problems.flatMap((p) => p.errors)).toEqual([]);
  }, 60_000);

  it('shows a note once when its committed copy arrives before the answer to its request', async () => {
    const page = pages[1]!;
    // Hold the answer to the request until the note has come through the event stream: the order a busy peer often gives.
    const hold = await opened[1]!.holdAddNoteAnswers();
    await addOnPage(page, 'answer held back');
    await expect.poll(() => texts(peers[1]!)).toContain('answer held back');
    await expect.poll(() => noteItem(page, 'answer held back').count()).toBe(1).catch(async (e) => {
      throw new Error(`${(e as Error).message}: ${await notesList(page).innerHTML()}`);
    });
    await expect.poll(() => notesList(page).locator('.note.sending').count(), { timeout: 2_000 }).toBe(0);
    hold.release();
    await hold.answered;
    await hold.stop();
    await expect.poll(() => page.getByRole('textbox', { name: 'New note' }).inputValue()).toBe('');
    expect(await noteItem(page, 'answer held back').count()).toBe(1);
  });
});

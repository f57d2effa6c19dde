// A delete waits 5 s on the page for "Undo"; a page left or closed within
// that time sends it at once (with keepalive, so the request outlives the
// page): the note is gone on the peers, not silently kept. Over HTTP, the
// transport whose requests die with the page unless kept alive.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { texts } from '../cluster/cluster-helpers.ts';
import { waitFor } from '../cluster/peer-process.ts';
import { usePageTests } from './page-tests.ts';
import { HTTP_TRANSPORT, type UiPeer } from './ui-transports.ts';

const tests = usePageTests();
/** The page's undo time (UNDO_MS of renderer/src/lib/undo-delete.svelte.ts, a module of runes Node cannot load). */
const UNDO_MS = 5_000;

/** deleteOnPage adds a note on `peer` and deletes it on `page`, once the page offers to undo it. */
async function deleteOnPage(page: Page, peer: UiPeer, text: string): Promise<void> {
  const { body } = await peer.api('POST', '/api/notes', { text });
  const number = (body.note as { number: number }).number;
  await page.getByRole('list', { name: 'Notes' }).getByRole('listitem').filter({ hasText: text }).waitFor();
  await page.getByRole('button', { name: `Delete note #${number}` }).click();
  await page.getByRole('status').getByText(`Note #${number} deleted.`).waitFor();
}

describe('UndoDeletePage', () => {
  it.each([
    ['another page is opened', (page: Page) => page.goto('about:blank').then(() => {})],
    ['the tab is closed', (page: Page) => page.close({ runBeforeUnload: true })],
  ])('sends a delete still in its undo time when %s', async (_, leave) => {
    tests.use(HTTP_TRANSPORT);
    const peers = await HTTP_TRANSPORT.startCluster();
    const { page } = await HTTP_TRANSPORT.openPage(tests.browser(), peers[1]!);
    await deleteOnPage(page, peers[0]!, 'deleted, then the page is left');
    const left = Date.now();
    await leave(page);
    // Well within the undo time: only the request sent as the page went away can have deleted it.
    await waitFor('the note is gone on every peer', async () => {
      for (const peer of peers) if ((await texts(peer)).includes('deleted, then the page is left')) return false;
      return true;
    }, UNDO_MS - 1_000);
    expect(Date.now() - left).toBeLessThan(UNDO_MS);
  }, 60_000);
});

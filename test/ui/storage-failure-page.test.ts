// A peer whose disk fills up says so in GET /api/status (`storageFailure`)
// and in its page's header, in words that say what to do. The peer is a real
// `raftnotes serve` whose data directory is on a small tmpfs the test mounts
// (as root; skipped elsewhere) and fills: its outbox can no longer be
// written, so the peer refuses writes, and keeps serving its page.
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountTmpfs, unmount } from '../../core/storage/testing/tmpfs.ts';
import { LOCAL } from '../cluster/cluster-helpers.ts';
import { PeerProcess, tempDir, waitFor } from '../cluster/peer-process.ts';
import { usePageTests } from './page-tests.ts';
import { HTTP_TRANSPORT } from './ui-transports.ts';
import { openPeerPage } from './ui-helpers.ts';

const tests = usePageTests();
let mnt: string | null = null;

afterEach(async () => {
  if (mnt === null) return;
  unmount(mnt);
  await rm(mnt, { recursive: true, force: true });
  mnt = null;
});

/** fill writes a file into `dir` until the disk under it is full. */
function fill(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(1 << 16);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe('StorageFailurePage', () => {
  it('shows in the status and the page header that the disk failed, and what to do', async (ctx) => {
    tests.use(HTTP_TRANSPORT);
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-full-page-'));
    // Room for the first log segment and the next one, made in the background (32 MiB each), and not much more.
    const refused = mountTmpfs(dir, '72m');
    if (refused !== null) {
      await rm(dir, { recursive: true, force: true });
      ctx.skip(`cannot mount a tmpfs here (needs root): ${refused}`);
      return;
    }
    mnt = dir;
    // B joins a notebook whose only member is gone: its writes wait in its outbox, which must reach the disk.
    const a = new PeerProcess(await tempDir(), 'A');
    await a.start(['--create', 'Full disk', ...LOCAL]);
    const invite = (await a.api('GET', '/api/invite')).body.invite as string;
    expect(await a.stop()).toBe(0);
    const peer = new PeerProcess(join(dir, 'data'), 'B');
    await peer.start(['--invite', invite, ...LOCAL]);
    expect((await peer.api('GET', '/api/status')).body.storageFailure).toBeNull();
    // The next segment is ready (else its background writer would give its space back once the disk is full).
    await waitFor('the next log segment is made', () => stat(join(peer.dataDir, 'raft', 'prealloc.ready')).then(() => true, () => false));

    const { page, problems } = await openPeerPage(tests.browser(), peer);
    const header = page.getByRole('banner');
    await header.getByRole('status').filter({ hasText: 'Live · B' }).waitFor();

    fill(dir);
    const write = await peer.api('POST', '/api/notes', { text: 'on a full disk '.padEnd(60_000, '.') });
    expect(write.status).toBe(503);
    expect(write.body.error).toBe('storage-failed');

    const failure = (await peer.api('GET', '/api/status')).body.storageFailure as string;
    expect(failure).toMatch(new RegExp(`^cannot write ${join(peer.dataDir, 'outbox.log')}: ENOSPC`));
    expect(failure).toContain('Free some disk space and restart');
    expect(write.body.message).toBe(`This peer stopped writing: ${failure}`);

    await header.getByRole('status').filter({ hasText: 'Stopped writing · B: its disk failed' }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'This peer takes no more notes' });
    expect(await alert.textContent()).toContain(`This peer takes no more notes, edits or deletes: ${failure} The notes it showed before are saved.`);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});

// Running notebooks whose storage fails as a failing disk does: the fdatasync
// of a save throws EIO (FaultyStorage, the error DiskStorage throws then). A
// peer whose storage failed acknowledges nothing more and says so; a write it
// was waiting for is answered at once as not known to be committed, and is
// committed at most once, after a restart, from the outbox.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNotebook, MemoryLan, type Notebook } from '../net/index.ts';
import { MemoryStorage, StorageWriteError } from '../storage/index.ts';
import { FaultyStorage } from '../storage/testing/faulty-storage.ts';
import { mountTmpfs, unmount } from '../storage/testing/tmpfs.ts';
import { systemClock } from './clock.ts';
import { ServiceError } from './errors.ts';
import { Outbox } from './outbox.ts';
import { RunningNotebook } from './running-notebook.ts';

/** Longer than any wait below: a write answered before it was answered by the failure, not by the timeout. */
const COMMIT_WAIT_MS = 20_000;

/** Peer is one notebook of the test, with its storage (failing on demand) and what it told. */
interface Peer {
  id: string;
  storage: FaultyStorage;
  dir: string;
  notebook: RunningNotebook;
  log: string[];
  fatal: Error[];
}

const lan = new MemoryLan();
const notebook: Notebook = createNotebook('Failing disks');
const peers: Peer[] = [];
const dirs: string[] = [];

async function start(
  id: string, origin: 'created' | 'joined', { memory = new MemoryStorage(), dir = '', commitWaitMs = COMMIT_WAIT_MS } = {},
): Promise<Peer> {
  if (dir === '') dirs.push(dir = await mkdtemp(join(tmpdir(), `raftnotes-eio-${id}-`)));
  const storage = new FaultyStorage(memory);
  const network = lan.createPeer({ id, notebook, name: id, discoverable: false });
  const running = await RunningNotebook.open({
    notebook, name: id, origin, joinTargets: [], maxVoters: 5, snapshotEvery: 10_000, tickMs: 10, commitWaitMs,
  }, { storage, outbox: await Outbox.open(dir), network, clock: systemClock });
  const peer: Peer = { id, storage, dir, notebook: running, log: [], fatal: [] };
  running.addEventListener('log', (evt) => peer.log.push(evt.detail.text));
  running.addEventListener('fatal', (evt) => peer.fatal.push(evt.detail));
  await running.start();
  peers.push(peer);
  return peer;
}

/** restart stops the peer and starts it again on what its storage and its outbox kept. */
async function restart(peer: Peer): Promise<Peer> {
  await peer.notebook.stop();
  peers.splice(peers.indexOf(peer), 1);
  return start(peer.id, 'created', { memory: (peer.storage.inner as MemoryStorage).restart(), dir: peer.dir });
}

const texts = (p: Peer): string[] => p.notebook.notes().notes.map((n) => n.text);

/** refusal awaits a write that must be refused because storage failed, and returns its message. */
async function refusal(write: Promise<unknown>): Promise<string> {
  const error = await write.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ServiceError);
  expect((error as ServiceError).code).toBe('storage-failed');
  return (error as Error).message;
}

afterEach(async () => {
  for (const p of peers.splice(0)) await p.notebook.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('StorageFailure', () => {
  it('stops acknowledging when fdatasync fails with EIO, says so, and commits the write it was saving at most once after a restart', async () => {
    const a = await start('A', 'created');
    await vi.waitFor(() => expect(a.notebook.status().role).toBe('leader'));
    expect((await a.notebook.addNote('before')).committed).toBe(true);
    expect(a.notebook.status().storageFailure).toBeNull();
    const statusEvents: Array<string | null> = [];
    a.notebook.addEventListener('status', () => statusEvents.push(a.notebook.status().storageFailure));

    a.storage.failSaves('EIO');
    const started = Date.now();
    const message = await refusal(a.notebook.addNote('during'));
    expect(Date.now() - started).toBeLessThan(COMMIT_WAIT_MS / 2); // answered by the failure, not after the wait
    expect(message).toBe('This peer stopped writing: Writing /data/raft/wal-0000000000000001.log failed (EIO). ' +
      'Nothing after the last saved entry was acknowledged. Check the disk, then restart the peer.');
    expect(a.fatal).toHaveLength(1);
    expect(a.fatal[0]).toBeInstanceOf(StorageWriteError);
    expect(a.log).toContain(`this peer stopped and acknowledges no more writes: ${a.fatal[0]!.message}`);
    // The status says so, in the words of the failure, and a status event tells the pages.
    expect(a.notebook.status().storageFailure).toBe(a.fatal[0]!.message);
    await vi.waitFor(() => expect(statusEvents).toContain(a.fatal[0]!.message));

    // Nothing more is taken, and nothing unsaved is shown.
    expect(await refusal(a.notebook.addNote('after'))).toBe(message);
    const [note] = a.notebook.notes().notes;
    expect(await refusal(a.notebook.editNote(note!.id, 'edited', note!.version))).toBe(message);
    expect(texts(a)).toEqual(['before']);
    expect(a.fatal).toHaveLength(1);

    // After a restart (the disk replaced), the write that was being saved is proposed again from the outbox, once;
    // the ones refused before they were taken never appear.
    const again = await restart(a);
    await vi.waitFor(() => expect(texts(again)).toEqual(['before', 'during']), { timeout: 10_000 });
    await vi.waitFor(() => expect(again.notebook.notes().pending).toEqual([]));
    expect((await again.notebook.addNote('later')).committed).toBe(true);
    expect(texts(again)).toEqual(['before', 'during', 'later']);
  });

  it('refuses writes with storage-failed, naming the file, when the disk under its outbox is full', async (ctx) => {
    const mnt = await mkdtemp(join(tmpdir(), 'raftnotes-outbox-full-'));
    dirs.push(mnt);
    const refused = mountTmpfs(mnt, '64k');
    if (refused !== null) {
      ctx.skip(`cannot mount a tmpfs here (needs root): ${refused}`);
      return;
    }
    try {
      // A peer that has not joined yet: no leader commits its write, so it must be kept durably in the outbox.
      const a = await start('L', 'joined', { dir: mnt, commitWaitMs: 300 });
      expect(() => writeFileSync(join(mnt, 'filler'), Buffer.alloc(1 << 20))).toThrow(/ENOSPC/);
      const message = await refusal(a.notebook.addNote('on a full disk '.padEnd(60_000, '.')));
      expect(message).toMatch(new RegExp(`^This peer stopped writing: cannot write ${join(mnt, 'outbox.log')}: ENOSPC`));
      expect(message).toContain('Free some disk space and restart');
      expect(texts(a)).toEqual([]);
      expect(await refusal(a.notebook.addNote('the next one'))).toBe(message); // refused at once from now on
      expect(`This peer stopped writing: ${a.notebook.status().storageFailure}`).toBe(message);
      await a.notebook.stop();
      peers.splice(peers.indexOf(a), 1);
    } finally {
      unmount(mnt);
    }
  });

  it('commits nothing a follower could not save: with both followers failing, the leader acknowledges no write', async () => {
    const a = await start('A', 'created', { commitWaitMs: 3_000 });
    await vi.waitFor(() => expect(a.notebook.status().role).toBe('leader'));
    const b = await start('B', 'joined');
    const c = await start('C', 'joined');
    await vi.waitFor(() => {
      const s = a.notebook.status();
      expect(s.members.filter((m) => m.voter)).toHaveLength(3);
      expect(s.commitIndex).toBe(s.lastIndex);
    }, { timeout: 10_000 });
    expect((await a.notebook.addNote('replicated')).committed).toBe(true);

    // One follower failing leaves a majority: writes go on.
    b.storage.failSaves('EIO');
    expect((await a.notebook.addNote('with one follower failing')).committed).toBe(true);
    await vi.waitFor(() => expect(b.fatal).toHaveLength(1));
    expect(await refusal(b.notebook.addNote('on the failed follower'))).toContain('failed (EIO)');

    // Both failing: the leader has only its own copy, and answers "pending" (202), never "committed" (201).
    c.storage.failSaves('EIO');
    const write = await a.notebook.addNote('no majority saved it');
    expect(c.fatal).toHaveLength(1);
    expect(write.committed).toBe(false);
    expect(texts(a)).toEqual(['replicated', 'with one follower failing']);
    expect(a.notebook.status().commitIndex).toBeLessThan(a.notebook.status().lastIndex);
    expect(a.fatal).toEqual([]); // the leader's own disk is fine
  });
});

// A real peer whose disk fills up while it takes notes: its data directory is
// on a small tmpfs the test mounts (as root). The peer must stop acknowledging
// writes and say why (the file, the full disk, what to do), and once space is
// freed and it starts again, every note it acknowledged is there, once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountTmpfs, resizeTmpfs, unmount } from '../../core/storage/testing/tmpfs.ts';
import { LOCAL, texts } from '../cluster/cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from '../cluster/peer-process.ts';

/** A note of 60,000 bytes: about 550 of them fill the peer's first 32 MiB log segment. */
const noteText = (i: number): string => `note ${i} `.padEnd(60_000, '.');

let mnt: string | null = null;

/**
 * smallDisk mounts a tmpfs of 48 MiB (the first 32 MiB log segment fits, the next one does not) on a new
 * directory, unmounted after the test; it skips the test, and answers null, where no tmpfs can be mounted.
 */
async function smallDisk(ctx: { skip(note: string): void }): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'raftnotes-full-'));
  const refused = mountTmpfs(dir, '48m');
  if (refused === null) return dir;
  await rm(dir, { recursive: true, force: true });
  ctx.skip(`cannot mount a tmpfs here (needs root): ${refused}`);
  return null;
}

afterEach(async () => {
  await killAll();
  await removeDirs();
  if (mnt !== null) {
    unmount(mnt);
    await rm(mnt, { recursive: true, force: true });
    mnt = null;
  }
});

describe('DiskFull', () => {
  it('stops acknowledging when the disk fills up, says so, and keeps every acknowledged note after space is freed', async (ctx) => {
    mnt = await smallDisk(ctx);
    if (mnt === null) return;
    const dataDir = join(mnt, 'data');
    const peer = new PeerProcess(dataDir, 'A');
    await peer.start(['--create', 'Full disk', ...LOCAL]);
    await waitFor('A leads', async () => (await peer.api('GET', '/api/status')).body.role === 'leader');

    // Four writers until the peer refuses or is gone; each note's outcome is kept.
    const acknowledged: string[] = [];
    const pending: string[] = [];
    const uncertain: string[] = [];
    const refusals: Array<{ status: number; body: { error: string; message: string } }> = [];
    let next = 0;
    let stop = false;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (!stop && next < 2_000) {
        const text = noteText(next++);
        try {
          const res = await peer.api('POST', '/api/notes', { text });
          if (res.status === 201) acknowledged.push(text);
          else if (res.status === 202) pending.push(text);
          else {
            refusals.push(res);
            uncertain.push(text);
            stop = true;
          }
        } catch {
          uncertain.push(text); // the connection was cut: the peer stopped
          stop = true;
        }
      }
    }));
    expect(next).toBeLessThan(2_000);
    expect(acknowledged.length).toBeGreaterThan(400);

    // A peer whose storage failed stops, with exit code 1 and a message naming the file, the full disk and what to do.
    expect(await peer.exitCode()).toBe(1);
    const log = peer.logs.join('\n');
    expect(log).toMatch(new RegExp(`The disk is full: writing ${dataDir}/raft/wal-[0-9a-f]{16}\\.log failed \\(ENOSPC\\)`));
    expect(log).toContain('Free some space on this disk and restart the peer.');
    expect(log).not.toMatch(/^\s+at /m); // a message, not a stack trace
    for (const r of refusals) {
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('storage-failed');
      expect(r.body.message).toContain('The disk is full');
    }

    // Restarted on the disk still full: it serves what it has, and the first write that needs space is refused
    // with the same advice, and the peer stops again.
    // (Its election may already need the space, and stop it before the write: then the write finds it gone.)
    await peer.start(LOCAL);
    const stillFull = await peer.api('POST', '/api/notes', { text: 'still full' }).catch(() => null);
    uncertain.push('still full');
    if (stillFull !== null) {
      expect(stillFull.status).toBe(503);
      expect(stillFull.body.error).toBe('storage-failed');
      expect(stillFull.body.message).toContain('The disk is full');
    }
    expect(await peer.exitCode()).toBe(1);
    expect(peer.logs.at(-1)).toMatch(/error raftnotes: The disk is full: .*Free some space on this disk and restart the peer\.$/);

    // Space freed: the peer starts again on the same directory and has lost nothing it acknowledged.
    resizeTmpfs(mnt, '160m');
    await peer.start(LOCAL);
    await waitFor('A leads again', async () => (await peer.api('GET', '/api/status')).body.role === 'leader');
    // Pending notes are kept in the outbox and committed after the restart.
    await waitFor('the pending notes committed', async () => (await peer.api('GET', '/api/notes')).body.pending.length === 0);
    const after = await texts(peer);
    const count = new Map<string, number>();
    for (const t of after) count.set(t, (count.get(t) ?? 0) + 1);
    for (const t of [...acknowledged, ...pending]) expect(count.get(t), t.slice(0, 12)).toBe(1);
    for (const t of uncertain) expect(count.get(t) ?? 0).toBeLessThanOrEqual(1);
    const written = new Set([...acknowledged, ...pending, ...uncertain]);
    expect(after.filter((t) => !written.has(t))).toEqual([]);
    // And it takes notes again.
    expect((await peer.api('POST', '/api/notes', { text: 'after the disk was freed' })).status).toBe(201);
    expect(await peer.stop()).toBe(0);
  }, 180_000);

  it('leaves the others serving when a follower\'s disk fills up, and the follower catches up once space is freed', async (ctx) => {
    mnt = await smallDisk(ctx);
    if (mnt === null) return;
    const a = new PeerProcess(await tempDir(), 'A');
    const readyA = await a.start(['--create', 'Full follower', ...LOCAL]);
    const { body: invite } = await a.api('GET', '/api/invite');
    const b = new PeerProcess(await tempDir(), 'B');
    const c = new PeerProcess(join(mnt, 'data'), 'C');
    for (const p of [b, c]) await p.start(['--invite', invite.invite, '--peer', readyA.addrs[0]!, ...LOCAL]);
    await waitFor('three voters, committed', async () => {
      const { body: s } = await a.api('GET', '/api/status');
      return s.role === 'leader' && s.members.filter((m: { voter: boolean }) => m.voter).length === 3 && s.commitIndex >= s.lastIndex;
    }, 30_000);

    // Notes through the leader until C's disk is full and C stops; A and B still make a majority.
    const acknowledged: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (c.running && next < 1_000) {
        const text = noteText(next++);
        const res = await a.api('POST', '/api/notes', { text });
        expect(res.status).toBe(201);
        acknowledged.push(text);
      }
    }));
    expect(await c.exitCode()).toBe(1);
    expect(c.logs.join('\n')).toMatch(/The disk is full: writing .*wal-[0-9a-f]{16}\.log failed \(ENOSPC\).*Free some space on this disk and restart the peer\./);
    for (let i = 0; i < 5; i++) {
      const text = `after C stopped ${i}`;
      expect((await a.api('POST', '/api/notes', { text })).status).toBe(201);
      acknowledged.push(text);
    }

    // Space freed: C starts again and catches up; every peer holds every acknowledged note once, in one order.
    resizeTmpfs(mnt, '160m');
    await c.start(LOCAL);
    const expected = await texts(a);
    expect([...expected].sort()).toEqual([...acknowledged].sort()); // concurrent writers: their order is the log's
    await waitFor('C caught up', async () => JSON.stringify(await texts(c)) === JSON.stringify(expected), 60_000);
    expect(await texts(b)).toEqual(expected);
    for (const p of [a, b, c]) await p.stop();
  }, 240_000);
});

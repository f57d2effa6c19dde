// A follower behind the leader refuses an edit or delete at once only when its
// own copy shows it certainly stale; otherwise the committed log decides,
// exactly once. The follower is cut off (so it is behind for certain, for as
// long as the test needs) while the leader moves on.
import { afterEach, describe, expect, it } from 'vitest';
import { leaderOf, startCluster } from './cluster-helpers.ts';
import { killAll, removeDirs, waitFor, type ApiAnswer } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

interface Note { id: string; text: string; version: number }

describe('LaggingFollower', () => {
  it('lets the log decide a write with a version it has not seen yet, or on a note it does not hold yet, and refuses only what is certainly stale', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const follower = peers.find((p) => p !== leader)!;
    const added = async (text: string): Promise<Note> => {
      const res: ApiAnswer = await leader.api('POST', '/api/notes', { text });
      expect(res.status).toBe(201);
      return res.body.note;
    };
    const edited = await added('edited on the leader');
    const stale = await added('stale on the follower');
    expect((await leader.api('PUT', `/api/notes/${stale.id}`, { text: 'stale v2', version: 1 })).status).toBe(200);
    const held = async (id: string) => ((await follower.api('GET', '/api/notes')).body.notes as Note[]).find((n) => n.id === id);
    await waitFor('the follower holds both notes as they are', async () => (await held(stale.id))?.version === 2 && (await held(edited.id)) !== undefined);

    expect((await follower.api('POST', '/api/network', { isolated: true })).status).toBe(200);
    // The leader moves on without the follower: a new version, and a new note.
    const v2 = await leader.api('PUT', `/api/notes/${edited.id}`, { text: 'leader v2', version: 1 });
    expect(v2.body.note).toMatchObject({ version: 2 });
    const fresh = await added('added while the follower was away');

    // Version 2 and the fresh note are unknown to the follower: the log decides (pending while it is cut off).
    const edit = await follower.api('PUT', `/api/notes/${edited.id}`, { text: 'follower v3', version: 2 });
    expect(edit.status, JSON.stringify(edit.body)).toBe(202);
    const deletion = await follower.api('DELETE', `/api/notes/${fresh.id}?version=1`);
    expect(deletion.status, JSON.stringify(deletion.body)).toBe(202);
    // Certainly stale on the follower's own copy: refused at once.
    const refused = await follower.api('PUT', `/api/notes/${stale.id}`, { text: 'too late', version: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'conflict', current: { id: stale.id, version: 2 } });
    expect((await follower.api('DELETE', '/api/notes/n1?version=1')).status).toBe(404); // entry 1 added no note

    expect((await follower.api('POST', '/api/network', { isolated: false })).status).toBe(200);
    for (const peer of peers) {
      await waitFor(`${peer.name} holds the follower's writes, each applied once`, async () => {
        const { body } = await peer.api('GET', '/api/notes');
        const notes = body.notes as Note[];
        return notes.some((n) => n.id === edited.id && n.text === 'follower v3' && n.version === 3)
          && !notes.some((n) => n.id === fresh.id) && (body.pending as unknown[]).length === 0;
      }, 30_000);
    }
    const { body } = await follower.api('GET', '/api/notes');
    expect(body.conflicts).toEqual([]);
    expect((body.notes as Note[]).find((n) => n.id === stale.id)).toMatchObject({ text: 'stale v2', version: 2 });
  }, 90_000);

  it('reads its own writes on any peer: GET /api/notes?after=<index of the write> waits for that entry, or says the peer is behind', async () => {
    const peers = await startCluster();
    const leader = await leaderOf(peers);
    const follower = peers.find((p) => p !== leader)!;
    for (let i = 0; i < 5; i++) {
      const added = await leader.api('POST', '/api/notes', { text: `read back ${i}` });
      expect(added.status).toBe(201);
      expect(added.body.index).toBeGreaterThanOrEqual(added.body.note.seq);
      // Asked at once, on another peer: the note is there, however far behind that peer was.
      const read = await follower.api('GET', `/api/notes?after=${added.body.index}`);
      expect(read.status).toBe(200);
      expect((read.body.notes as Note[]).map((n) => n.text)).toContain(`read back ${i}`);
    }
    expect((await follower.api('GET', '/api/notes?after=0')).body.error).toBe('invalid-range');

    expect((await follower.api('POST', '/api/network', { isolated: true })).status).toBe(200);
    const edit = await leader.api('PUT', `/api/notes/${(await leader.api('GET', '/api/notes')).body.notes[0].id}`, { text: 'edited', version: 1 });
    expect(edit.status).toBe(200);
    const behind = await follower.api('GET', `/api/notes?after=${edit.body.index}`);
    expect(behind.status).toBe(503);
    expect(behind.body).toMatchObject({ error: 'behind', appliedIndex: expect.any(Number) });
    expect(behind.body.appliedIndex).toBeLessThan(edit.body.index);
    expect((await follower.api('POST', '/api/network', { isolated: false })).status).toBe(200);
    const caughtUp = await waitFor('the follower caught up', async () => {
      const res = await follower.api('GET', `/api/notes?after=${edit.body.index}`);
      return res.status === 200 ? res.body : undefined;
    }, 20_000);
    expect((caughtUp.notes as Note[])[0]).toMatchObject({ text: 'edited', version: 2 });
  }, 90_000);
});

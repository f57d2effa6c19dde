// A peer started on a fresh data directory without --create or --invite waits,
// serving its API, until the user creates or joins a notebook there.
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL } from './cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

describe('FirstRun', () => {
  it('creates a notebook, or joins one with an invite code, through the API', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    const readyA = await a.start(LOCAL);
    expect(readyA.notebook).toBeNull();
    const early = await a.api('POST', '/api/notes', { text: 'too early' });
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('no-notebook');
    expect((await a.api('POST', '/api/notebook', {})).status).toBe(400);
    const created = await a.api('POST', '/api/notebook', { name: 'Made in the app' });
    expect(created.status).toBe(201);
    expect(created.body.notebook).toMatchObject({ name: 'Made in the app' });
    await waitFor('A leads', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect((await a.api('POST', '/api/notes', { text: 'hello' })).status).toBe(201);

    const b = new PeerProcess(await tempDir(), 'B');
    await b.start(LOCAL);
    const bad = await b.api('POST', '/api/notebook', { invite: 'rn1-not-a-code' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/\w/);
    const { body } = await a.api('GET', '/api/invite');
    const joined = await b.api('POST', '/api/notebook', { invite: body.invite });
    expect(joined.status).toBe(201);
    await waitFor('B holds the note', async () => (await b.api('GET', '/api/notes')).body.notes.some((n: { text: string }) => n.text === 'hello'), 20_000);

    // After a restart the notebook is still there, without flags.
    expect(await b.stop()).toBe(0);
    const again = await b.start(LOCAL);
    expect(again.notebook).toMatchObject({ name: 'Made in the app' });
  }, 60_000);
});

describe('FirstRunFlags', () => {
  /** refused starts `raftnotes serve`, expects it to exit with 1 before it is ready, and returns what it printed on stderr. */
  async function refused(peer: PeerProcess, args: string[]): Promise<string> {
    await expect(peer.start(args)).rejects.toThrow(/exited with 1 before it was ready/);
    return peer.logs.join('\n');
  }

  it('refuses --create or --invite of another notebook on a data directory that holds one, naming it and what to do', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    const ready = await a.start(['--create', 'Team notes', ...LOCAL]);
    await waitFor('A leads', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect((await a.api('POST', '/api/notes', { text: 'kept' })).status).toBe(201);
    const ownInvite = (await a.api('GET', '/api/invite')).body.invite as string;
    expect(await a.stop()).toBe(0);

    const other = new PeerProcess(await tempDir(), 'O');
    await other.start(['--create', 'Other', ...LOCAL]);
    const otherInvite = (await other.api('GET', '/api/invite')).body.invite as string;
    await other.stop();

    const created = await refused(a, ['--create', 'Second', ...LOCAL]);
    expect(created).toContain(`--create "Second": ${a.dataDir} already holds the notebook "Team notes" (id ${ready.notebook!.id})`);
    expect(created).toMatch(/start without --create; to make the notebook "Second", pass --data with a new directory/);
    const invited = await refused(a, ['--invite', otherInvite, ...LOCAL]);
    expect(invited).toMatch(/already holds the notebook "Team notes".*the invite is to the notebook "Other"/);
    expect(invited).toMatch(/start without --invite; to join "Other", pass --data with a new directory/);

    // The notebook is untouched, and an invite to it starts it.
    const again = await a.start(['--invite', ownInvite, ...LOCAL]);
    expect(again.notebook).toEqual(ready.notebook);
    await waitFor('A leads again', async () => (await a.api('GET', '/api/status')).body.role === 'leader');
    expect((await a.api('GET', '/api/notes')).body.notes.map((n: { text: string }) => n.text)).toEqual(['kept']);
  }, 60_000);
});

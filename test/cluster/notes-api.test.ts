// The local API of one headless peer (docs/api.md), every endpoint with good
// and bad input; the peer keeps serving after each bad request.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeFromWire } from '../../core/api/note-columns.ts';
import { LOCAL } from './cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir, waitFor } from './peer-process.ts';

let peer: PeerProcess;

beforeAll(async () => {
  peer = new PeerProcess(await tempDir(), 'Solo');
  await peer.start(['--create', 'API notes', ...LOCAL]);
  await waitFor('leadership', async () => (await peer.api('GET', '/api/status')).body.role === 'leader');
});

afterAll(async () => {
  await killAll();
  await removeDirs();
});

/** raw sends a request with exactly the given headers (no token unless given). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  const url = new URL(peer.ready!.api);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.length > 0 ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function add(text: string) {
  const res = await peer.api('POST', '/api/notes', { text });
  expect(res.status).toBe(201);
  return res.body.note;
}

describe('NotesApi', () => {
  it('reports the status of the peer and its notebook', async () => {
    const { status, body } = await peer.api('GET', '/api/status');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'Solo', role: 'leader', isolated: false, notebook: { name: 'API notes' } });
    expect(body.members).toEqual([expect.objectContaining({ id: body.id, name: 'Solo', voter: true, role: 'leader', reachable: true })]);
  });

  it('adds, lists, edits and deletes notes with versions', async () => {
    const note = await add('first draft');
    expect(note).toMatchObject({ text: 'first draft', author: 'Solo', version: 1 });
    const edited = await peer.api('PUT', `/api/notes/${note.id}`, { text: 'final', version: 1 });
    expect(edited.status).toBe(200);
    expect(edited.body.note).toMatchObject({ id: note.id, text: 'final', version: 2 });
    const list = await peer.api('GET', '/api/notes');
    expect(list.body.notes.find((n: any) => n.id === note.id)).toMatchObject({ text: 'final', version: 2 });
    expect(list.body.pending).toEqual([]);
    expect((await peer.api('DELETE', `/api/notes/${note.id}?version=2`)).status).toBe(200);
    expect((await peer.api('GET', '/api/notes')).body.notes.some((n: any) => n.id === note.id)).toBe(false);
  });

  it('answers a stale version with 409 and the current note, an unknown id with 404', async () => {
    const note = await add('shared');
    await peer.api('PUT', `/api/notes/${note.id}`, { text: 'changed', version: 1 });
    const stale = await peer.api('PUT', `/api/notes/${note.id}`, { text: 'mine', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'conflict', current: { text: 'changed', version: 2 } });
    expect((await peer.api('DELETE', `/api/notes/${note.id}?version=1`)).status).toBe(409);
    expect((await peer.api('PUT', '/api/notes/nzzzz', { text: 'x', version: 1 })).status).toBe(404);
    expect((await peer.api('DELETE', '/api/notes/nzzzz?version=1')).status).toBe(404);
  });

  it('refuses bad input with 400 and a message that says what to do', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/api/notes', { text: '' }],
      ['POST', '/api/notes', { text: 'x'.repeat(65_537) }],
      ['POST', '/api/notes', { text: 42 }],
      ['POST', '/api/notes', [1, 2]],
      ['POST', '/api/notes', '{"text": "unterminated'],
      ['PUT', '/api/notes/n1', { text: 'x', version: 'one' }],
      ['DELETE', '/api/notes/n1?version=zero', undefined],
      ['POST', '/api/network', { isolated: 'yes' }],
      ['POST', '/api/leadership', { to: 'nobody' }],
      ['GET', '/api/export?format=pdf', undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await peer.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.message, `${method} ${path}`).toMatch(/\w+/);
    }
    const accepted = await peer.api('POST', '/api/notes', { text: 'é'.repeat(32_768) });
    expect(accepted.status).toBe(201);
  });

  it('refuses whitespace-only text as the page does, on add and on edit', async () => {
    const note = await add('kept');
    for (const text of [' ', '\n\t \n', '\u00a0\u2003']) {
      const added = await peer.api('POST', '/api/notes', { text });
      expect(added.status, JSON.stringify(text)).toBe(400);
      expect(added.body).toMatchObject({ error: 'invalid-text', message: expect.stringMatching(/only spaces/) });
      expect((await peer.api('PUT', `/api/notes/${note.id}`, { text, version: 1 })).body.error).toBe('invalid-text');
    }
    expect((await peer.api('GET', '/api/notes')).body.notes.find((n: any) => n.id === note.id)).toMatchObject({ text: 'kept', version: 1 });
    expect((await peer.api('POST', '/api/notes', { text: '  padded  ' })).status).toBe(201);
  });

  it('takes a delete\'s version in the body as well as in the query, and refuses two different ones', async () => {
    const first = await add('delete me by body');
    const stale = await peer.api('DELETE', `/api/notes/${first.id}`, { version: 2 });
    expect(stale.status).toBe(409);
    const deleted = await peer.api('DELETE', `/api/notes/${first.id}`, { version: 1 });
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toMatchObject({ id: first.id, text: 'delete me by body' });
    const second = await add('delete me by both');
    const twice = await peer.api('DELETE', `/api/notes/${second.id}?version=1`, { version: 2 });
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({ error: 'invalid-request', message: expect.stringMatching(/given twice/) });
    expect((await peer.api('DELETE', `/api/notes/${second.id}`, [1])).body.error).toBe('invalid-request');
    expect((await peer.api('DELETE', `/api/notes/${second.id}`, {})).body.error).toBe('invalid-version');
    expect((await peer.api('DELETE', `/api/notes/${second.id}?version=1`, { version: 1 })).status).toBe(200);
  });

  it('refuses a missing or wrong token with 401, a foreign Host or Origin with 403', async () => {
    const host = new URL(peer.ready!.api).host;
    expect((await raw('GET', '/api/notes', { host })).status).toBe(401);
    expect((await raw('GET', '/api/notes', { host, authorization: 'Bearer wrong' })).status).toBe(401);
    const auth = { authorization: `Bearer ${peer.ready!.token}` };
    expect((await raw('GET', '/api/notes', { ...auth, host: 'attacker.example' })).status).toBe(403);
    expect((await raw('POST', '/api/notes', { ...auth, host, origin: 'http://attacker.example', 'content-type': 'application/json' }, '{"text":"x"}')).status).toBe(403);
    expect((await raw('GET', '/api/notes', { ...auth, host })).status).toBe(200);
  });

  it('answers unknown paths with 404 and first-run requests with 409 once there is a notebook', async () => {
    expect((await peer.api('GET', '/api/nothing')).status).toBe(404);
    const again = await peer.api('POST', '/api/notebook', { name: 'Another' });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('notebook-exists');
  });

  it('gives an invite code and exports the document as Markdown and JSON', async () => {
    await add('exported note');
    const invite = await peer.api('GET', '/api/invite');
    expect(invite.body.invite).toMatch(/^rn1/);
    const res = await fetch(`${peer.ready!.api}/api/export?format=md`, { headers: { authorization: `Bearer ${peer.ready!.token}` } });
    expect(res.headers.get('content-type')).toMatch(/markdown/);
    const md = await res.text();
    expect(md).toMatch(/^# API notes/);
    expect(md).toContain('exported note');
    const json = await peer.api('GET', '/api/export?format=json');
    expect(json.body.notes.some((n: any) => n.text === 'exported note')).toBe(true);
  });

  it('goes offline and back, and streams events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${peer.ready!.api}/api/events`, { headers: { authorization: `Bearer ${peer.ready!.token}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    let seen = '';
    // One decoder for the whole stream: a character's bytes may be split between two reads.
    const decoder = new TextDecoder();
    const until = async (pattern: RegExp) => {
      while (!pattern.test(seen)) seen += decoder.decode((await reader.read()).value, { stream: true });
    };
    await until(/event: status/);
    await until(/event: notes\ndata: .*\n\n/);
    // The notes come as columns (docs/api.md), which the client reads back into the notes GET /api/notes lists.
    const first = JSON.parse(/event: notes\ndata: (.*)\n\n/.exec(seen)![1]!);
    expect(first.reset).toBe(true);
    expect(first.notes.text).toContain('exported note');
    expect(changeFromWire(first).notes).toEqual((await peer.api('GET', '/api/notes')).body.notes);
    expect((await peer.api('POST', '/api/network', { isolated: true })).body).toEqual({ isolated: true });
    expect((await peer.api('GET', '/api/status')).body.isolated).toBe(true);
    await until(/event: log\ndata: .*cut off/);
    expect((await peer.api('POST', '/api/network', { isolated: false })).body).toEqual({ isolated: false });
    controller.abort();
  });

  it('keeps serving after all of the above', async () => {
    const note = await add('still here');
    expect(note.text).toBe('still here');
  });
});

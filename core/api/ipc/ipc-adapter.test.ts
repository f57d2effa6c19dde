// The desktop app's bridge without Electron: the IpcAdapter on a real peer in
// this process, called as the main process calls it for each IPC message.
// Every operation of the table, bad input refused with the codes and messages
// HTTP answers, and frames of another origin refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotesService } from '../../service/notes-service.ts';
import { OPERATIONS } from '../operations.ts';
import type { ApiEvent } from '../events.ts';
import { IPC_OPERATIONS } from './channels.ts';
import { IpcAdapter } from './ipc-adapter.ts';

const PAGE = 'app://raftnotes/index.html';
let dir = '';
let service: NotesService;
let ipc: IpcAdapter;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raftnotes-ipc-'));
  service = new NotesService({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, name: 'Ada' });
  await service.start();
  ipc = new IpcAdapter({ service, origin: 'app://raftnotes' });
});

afterAll(async () => {
  await service.stop();
  await rm(dir, { recursive: true, force: true });
});

async function ok(name: string, input: unknown): Promise<any> {
  const result = await ipc.invoke(name, PAGE, input);
  if (!result.ok) throw new Error(`${name} was refused: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function refused(name: string, input: unknown, sender = PAGE): Promise<{ code: string; message: string }> {
  const result = await ipc.invoke(name, sender, input);
  if (result.ok) throw new Error(`${name} was accepted`);
  return result.error;
}

describe('IpcAdapter', () => {
  it('has a channel for every operation of the table, and no other', () => {
    expect([...IPC_OPERATIONS]).toEqual(Object.keys(OPERATIONS));
  });

  it('runs every operation of the table on a real peer', async () => {
    expect(await refused('addNote', { text: 'too early' })).toMatchObject({ code: 'no-notebook' });
    expect(await ok('openNotebook', { name: 'Desk' })).toMatchObject({ notebook: { name: 'Desk' } });
    expect(await ok('status', {})).toMatchObject({ name: 'Ada', notebook: { name: 'Desk' } });
    const added = await ok('addNote', { text: 'first' });
    expect(added).toMatchObject({ committed: true, note: { text: 'first', version: 1 } });
    const id = added.note.id as string;
    expect(await ok('editNote', { id, text: 'first, edited', version: 1 })).toMatchObject({ committed: true, note: { version: 2 } });
    const second = await ok('addNote', { text: 'second' });
    expect(await ok('deleteNote', { id: second.note.id, version: 1 })).toMatchObject({ committed: true });
    expect((await ok('notes', {})).notes.map((n: { text: string }) => n.text)).toEqual(['first, edited']);
    expect((await ok('log', { limit: 2 })).entries).toHaveLength(2);
    expect(await ok('exportNotes', { format: 'md' })).toMatchObject({ format: 'md', text: expect.stringContaining('first, edited') });
    expect(await ok('exportNotes', {})).toMatchObject({ format: 'json', document: { notebook: { name: 'Desk' } } });
    expect((await ok('invite', {})).invite).toMatch(/^rn1/);
    const { id: self } = await ok('status', {});
    expect(await ok('transferLeadership', { to: self })).toEqual({ leaderId: self });
    expect(await refused('removeMember', { id: self })).toMatchObject({ code: 'last-voter' });
    expect(await ok('setIsolated', { isolated: true })).toEqual({ isolated: true });
    expect(await ok('setIsolated', { isolated: false })).toEqual({ isolated: false });
    expect(await refused('dismissConflict', { requestId: '99' })).toMatchObject({ code: 'not-found' });
  });

  it('refuses bad input with the codes and messages the HTTP adapter answers, and a stale version with the current note', async () => {
    expect(await refused('addNote', { text: '' })).toEqual({ code: 'invalid-text', message: "The note's text must not be empty." });
    expect(await refused('addNote', 'just text')).toEqual({ code: 'invalid-request', message: 'The request body must be a JSON object, e.g. {"text":"…"}.' });
    expect(await refused('editNote', { id: 'n1', text: 'x', version: 0 })).toMatchObject({ code: 'invalid-version' });
    expect(await refused('log', { limit: 5000 })).toMatchObject({ code: 'invalid-range' });
    expect(await refused('setIsolated', { isolated: 'yes' })).toMatchObject({ code: 'invalid-request' });
    expect(await refused('openNotebook', { name: 'Again' })).toMatchObject({ code: 'notebook-exists' });
    const { notes } = await ok('notes', {});
    const conflict = await refused('editNote', { id: notes[0].id, text: 'late', version: 1 });
    expect(conflict).toMatchObject({ code: 'conflict', current: { id: notes[0].id, version: 2 } });
    expect(await refused('noSuchThing', {})).toMatchObject({ code: 'not-found' });
  });

  it('refuses frames of any other origin, for calls and for events', async () => {
    for (const sender of ['https://evil.example/', 'file:///tmp/page.html', 'app://other/index.html', 'http://127.0.0.1:1234/', '', 'not a url']) {
      expect(await refused('notes', {}, sender)).toMatchObject({ code: 'forbidden-origin' });
      expect(ipc.subscribe(sender, () => {})).toBeNull();
    }
  });

  it('sends the current status and notes to a new subscriber, then each change', async () => {
    const events: ApiEvent[] = [];
    const stop = ipc.subscribe(PAGE, (event) => events.push(event))!;
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(['status', 'notes']);
    expect(events.some((e) => e.event === 'log')).toBe(true); // the peer's story so far
    await ok('addNote', { text: 'seen live' });
    // Events come at most ten times a second: the change arrives within that.
    await expect.poll(() => events.some((e) => e.event === 'notes' && e.data.notes.some((n) => n.text === 'seen live'))).toBe(true);
    stop();
    const notesEvents = events.filter((e) => e.event === 'notes').map((e) => e.data);
    // The first is the whole document; the later ones carry only what changed since the one before.
    expect(notesEvents[0]).toMatchObject({ reset: true, deleted: [] });
    const last = notesEvents.at(-1)!;
    expect(last).toMatchObject({ reset: false });
    expect(last.notes.map((n) => n.text)).toEqual(['seen live']);
    expect(last.revision).toBeGreaterThan(notesEvents[0]!.revision);
    const before = events.length;
    await ok('addNote', { text: 'after unsubscribing' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(events).toHaveLength(before);
  });
});

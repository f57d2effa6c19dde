// The operation table without HTTP, as the desktop app's IPC bridge will call
// it: a peer on a real data directory, in-process, driven by callOperation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotesService } from '../service/notes-service.ts';
import { callOperation } from './call.ts';

let service: NotesService | null = null;
let dir = '';

afterEach(async () => {
  await service?.stop();
  service = null;
  await rm(dir, { recursive: true, force: true });
});

describe('CallOperation', () => {
  it('runs the operations of the table on a peer with their inputs checked, and refuses bad input with the field\'s code', async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftnotes-call-'));
    service = new NotesService({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, name: 'Ada' });
    await service.start();
    await expect(callOperation(service, 'addNote', { text: 'too early' })).rejects.toMatchObject({ code: 'no-notebook' });
    expect(await callOperation(service, 'openNotebook', { name: 'Ours' })).toMatchObject({ notebook: { name: 'Ours' } });
    const added = await callOperation(service, 'addNote', { text: 'hello' });
    expect(added).toMatchObject({ committed: true, note: { text: 'hello', author: 'Ada', version: 1 } });
    await expect(callOperation(service, 'addNote', { text: '' })).rejects.toMatchObject({ code: 'invalid-text' });
    await expect(callOperation(service, 'editNote', { id: 'n2', text: 'changed', version: 7 })).rejects.toMatchObject({ code: 'conflict' });
    if (!added.committed) throw new Error('not committed');
    await callOperation(service, 'editNote', { id: added.note.id, text: 'changed', version: 1 });
    expect((await callOperation(service, 'notes', {})).notes.map((n) => [n.text, n.version])).toEqual([['changed', 2]]);
    expect(await callOperation(service, 'exportNotes', { format: 'md' })).toMatchObject({ format: 'md', text: expect.stringMatching(/^# Ours\n[\s\S]*changed/) });
    expect((await callOperation(service, 'invite', {})).invite).toMatch(/^rn1/);
  });
});

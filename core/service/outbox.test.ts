import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCommand } from '../notes/index.ts';
import { Outbox, OUTBOX_FILE, OutboxFileError } from './outbox.ts';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('Outbox', () => {
  it('keeps pending requests across a reopen, in order, and forgets removed ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    const a = await outbox.add({ op: 'add', text: 'one' }, 'Ada', 1);
    const b = await outbox.add({ op: 'add', text: 'two' }, 'Ada', 2);
    const c = await outbox.add({ op: 'delete', id: 'n1', version: 1 }, 'Ada', 3);
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    outbox.remove(b.seq);
    await outbox.add({ op: 'add', text: 'four' }, 'Ada', 4);
    const again = await Outbox.open(dir);
    expect(again.list().map((r) => r.seq)).toEqual([1, 3, 4]);
    expect((await again.add({ op: 'add', text: 'five' }, 'Ada', 5)).seq).toBe(5);
  });

  it('never reuses a request number that was applied', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    outbox.skipTo(41);
    expect((await outbox.add({ op: 'add', text: 'x' }, 'Ada', 1)).seq).toBe(42);
  });

  it('turns a request into the command that proposes it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    const r = await outbox.add({ op: 'edit', id: 'n3', version: 2, text: 'new' }, 'Ada', 99);
    expect(decodeCommand(Outbox.command('peer1', r))).toEqual({ client: 'peer1', seq: 1, author: 'Ada', at: 99, op: 'edit', id: 'n3', version: 2, text: 'new' });
  });

  it('refuses a damaged file with a message naming it and what to do', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    await writeFile(join(dir, OUTBOX_FILE), '{"format":1,"nextSeq":2,"pending":[{"seq":1,"op":{"op":"add","text":""}}]}');
    await expect(Outbox.open(dir)).rejects.toThrow(OutboxFileError);
    await writeFile(join(dir, OUTBOX_FILE), 'garbage');
    await expect(Outbox.open(dir)).rejects.toThrow(/outbox\.json: the file is not valid JSON.*move it aside/);
    expect(await readFile(join(dir, OUTBOX_FILE), 'utf8')).toBe('garbage');
  });
});

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
    await outbox.close();
    const again = await Outbox.open(dir);
    expect(again.list().map((r) => r.seq)).toEqual([1, 3, 4]);
    expect((await again.add({ op: 'add', text: 'five' }, 'Ada', 5)).seq).toBe(5);
  });

  it('makes a request durable only when asked, and writes nothing for one applied before that', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    const path = join(dir, OUTBOX_FILE);
    const a = await outbox.add({ op: 'add', text: 'answered 201' }, 'Ada', 1);
    const b = await outbox.add({ op: 'add', text: 'answered 202' }, 'Ada', 2);
    expect(outbox.list().map((r) => r.seq)).toEqual([a.seq, b.seq]); // both may be proposed at once
    expect(await readFile(path, 'utf8')).not.toMatch(/answered/);
    outbox.remove(a.seq);
    await outbox.whenDurable(b.seq);
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/answered 202/);
    expect(text).not.toMatch(/answered 201|"remove"/);
    // A second reader of the file sees what a crash now would leave: the durable request.
    expect((await Outbox.open(dir)).list().map((r) => r.seq)).toEqual([b.seq]);
    await outbox.whenDurable(a.seq); // no longer pending: nothing to wait for
  });

  it('never reuses a request number after a crash lost the requests, and leaves no gap after a clean close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    const used = [];
    for (let i = 0; i < 3; i++) used.push((await outbox.add({ op: 'add', text: `t${i}` }, 'Ada', i)).seq);
    // The adds are still buffered: a copy of the file now is what a restart after a crash would find.
    const crashed = await mkdtemp(join(tmpdir(), 'outbox-crashed-'));
    await writeFile(join(crashed, OUTBOX_FILE), await readFile(join(dir, OUTBOX_FILE)));
    const afterCrash = await Outbox.open(crashed);
    expect(afterCrash.list()).toEqual([]);
    expect((await afterCrash.add({ op: 'add', text: 'next' }, 'Ada', 9)).seq).toBeGreaterThan(Math.max(...used));
    await afterCrash.close();
    await rm(crashed, { recursive: true, force: true });
    await outbox.close();
    const afterClose = await Outbox.open(dir);
    expect((await afterClose.add({ op: 'add', text: 'next' }, 'Ada', 9)).seq).toBe(4);
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

  it('drops a torn last line, and refuses a damaged line before it with a message naming the file, the line and what to do', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    await outbox.add({ op: 'add', text: 'kept' }, 'Ada', 1);
    await outbox.close();
    const path = join(dir, OUTBOX_FILE);
    const good = await readFile(path, 'utf8');
    await writeFile(path, `${good}{"add":{"seq":2,"op":{"op":"add","te`);
    expect((await Outbox.open(dir)).list().map((r) => r.op)).toEqual([{ op: 'add', text: 'kept' }]);
    await writeFile(path, `${good}{"add":{"seq":2,"op":{"op":"add","text":""}}}\n{"remove":1}\n`);
    await expect(Outbox.open(dir)).rejects.toThrow(OutboxFileError);
    await writeFile(path, `${good}garbage\n{"remove":1}\n`);
    const line = good.split('\n').length; // the garbage line
    await expect(Outbox.open(dir)).rejects.toThrow(new RegExp(`outbox\\.log, line ${line}: the line is not valid JSON.*move it aside`));
    expect(await readFile(path, 'utf8')).toMatch(/garbage/);
  });

  it('keeps rejected requests until they are dismissed, across a reopen', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    const r = await outbox.add({ op: 'edit', id: 'n1', version: 1, text: 'mine' }, 'Ada', 1);
    outbox.reject(r.seq, 'conflict');
    await outbox.close();
    const again = await Outbox.open(dir);
    expect(again.list()).toEqual([]);
    expect(again.rejected()).toMatchObject([{ seq: r.seq, error: 'conflict' }]);
    expect(await again.dismiss(r.seq)).toBe(true);
    expect(await again.dismiss(r.seq)).toBe(false);
    await again.close();
    expect((await Outbox.open(dir)).rejected()).toEqual([]);
  });

  it('rewrites its journal once it holds many more lines than live requests', async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const outbox = await Outbox.open(dir);
    for (let i = 0; i < 1_200; i++) {
      const r = await outbox.add({ op: 'add', text: `n${i}` }, 'Ada', i);
      if (i < 1_199) outbox.remove(r.seq);
    }
    await outbox.add({ op: 'add', text: 'last' }, 'Ada', 0);
    await outbox.close();
    const lines = (await readFile(join(dir, OUTBOX_FILE), 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(1_000);
    expect((await Outbox.open(dir)).list().map((r) => r.seq)).toEqual([1_200, 1_201]);
  });
});

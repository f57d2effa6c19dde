import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidNotebookError, NotebookFileError } from './errors.ts';
import { NOTEBOOK_FILE, readNotebookFile, writeNotebookFile } from './notebook-file.ts';
import { assertNotebook, createNotebook, notebookPsk, notebookNameProblem } from './notebook.ts';

describe('Notebook', () => {
  it('creates a notebook with a 16-byte hex id and a 32-byte key', () => {
    const a = createNotebook('  Lab notes ');
    const b = createNotebook('Lab notes');
    expect(a.name).toBe('Lab notes');
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.key.byteLength).toBe(32);
    expect(a.id).not.toBe(b.id);
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false);
  });

  it('formats the key as a pnet swarm key', () => {
    const nb = createNotebook('x');
    const text = new TextDecoder().decode(notebookPsk(nb));
    expect(text).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${Buffer.from(nb.key).toString('hex')}`);
  });

  it('rejects a bad name, id or key', () => {
    expect(notebookNameProblem('')).toMatch(/empty/);
    expect(notebookNameProblem('a'.repeat(101))).toMatch(/longer/);
    expect(notebookNameProblem('a\u0007b')).toMatch(/control/);
    const nb = createNotebook('ok');
    expect(() => assertNotebook({ ...nb, id: 'XYZ' })).toThrow(InvalidNotebookError);
    expect(() => assertNotebook({ ...nb, key: new Uint8Array(31) })).toThrow(/32 bytes/);
    expect(() => createNotebook('   ')).toThrow(InvalidNotebookError);
  });
});

describe('NotebookFile', () => {
  it('stores a notebook (0600) and reads it back; a fresh directory has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rn-notebook-'));
    try {
      expect(await readNotebookFile(dir)).toBeNull();
      const nb = createNotebook('Shared');
      await writeNotebookFile(dir, nb);
      expect(await readNotebookFile(dir)).toEqual(nb);
      expect((await stat(join(dir, NOTEBOOK_FILE))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a damaged notebook file and names it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rn-notebook-'));
    try {
      const file = join(dir, NOTEBOOK_FILE);
      await writeFile(file, '{"version":1,"id":"00","name":"x","key":"zz"}');
      const err = await readNotebookFile(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotebookFileError);
      expect((err as Error).message).toContain(file);
      await writeFile(file, '{"version":1,');
      await expect(readNotebookFile(dir)).rejects.toThrow(/not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

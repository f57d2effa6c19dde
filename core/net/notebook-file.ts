// The notebook record in the data directory: `<data>/notebook.json`, mode 0600
// since it holds the key. Format: {"version":1,"id":"<32 hex>","name":"…","key":"<64 hex>"}.
// Written atomically and durably by core/storage's writeFileDurably.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../storage/index.ts';
import { NotebookFileError } from './errors.ts';
import { assertNotebook, notebookProblem } from './notebook.ts';
import type { Notebook } from './notebook.ts';

/** NOTEBOOK_FILE is the name of the notebook file inside the data directory. */
export const NOTEBOOK_FILE = 'notebook.json';

/** parseNotebookFile reads a notebook file's text; `file` names it in the NotebookFileError it throws. */
export function parseNotebookFile(text: string, file: string): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NotebookFileError(file, 'it is not JSON', { cause: err });
  }
  const o = json as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') throw new NotebookFileError(file, 'it is not a JSON object');
  if (o.version !== 1) throw new NotebookFileError(file, `its version ${String(o.version)} is not 1`);
  if (typeof o.key !== 'string' || !/^[0-9a-f]{64}$/.test(o.key)) throw new NotebookFileError(file, 'its key is not 64 hex digits');
  const nb: Notebook = { id: o.id as string, name: o.name as string, key: new Uint8Array(Buffer.from(o.key, 'hex')) };
  const problem = notebookProblem(nb);
  if (problem !== null) throw new NotebookFileError(file, problem);
  return nb;
}

/** formatNotebookFile is the text of a notebook file. */
export function formatNotebookFile(nb: Notebook): string {
  assertNotebook(nb);
  return `${JSON.stringify({ version: 1, id: nb.id, name: nb.name, key: Buffer.from(nb.key).toString('hex') })}\n`;
}

/** readNotebookFile returns the data directory's notebook, or null when it has none yet. */
export async function readNotebookFile(dataDir: string): Promise<Notebook | null> {
  const file = join(dataDir, NOTEBOOK_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new NotebookFileError(file, `it cannot be read (${(err as Error).message})`, { cause: err });
  }
  return parseNotebookFile(text, file);
}

/** writeNotebookFile stores the notebook in the data directory, durably, replacing any earlier one. */
export async function writeNotebookFile(dataDir: string, nb: Notebook): Promise<void> {
  const text = formatNotebookFile(nb);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  writeFileDurably(dataDir, NOTEBOOK_FILE, [Buffer.from(text)], 0o600);
}

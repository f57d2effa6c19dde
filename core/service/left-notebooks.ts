// A removed peer that leaves its notebook puts the notebook's files aside, in
// the data directory, instead of deleting them (its notes stay readable
// there): the peer is then back at its first run, ready to create or join a
// notebook. The notebook file is moved first, so an interrupted move never
// leaves a notebook without its log; what it left behind is moved aside at
// the next first run (moveLeftovers) before a new notebook's files are made.
//
//   <data>/left/<notebook id>-<time>/   notebook.json, raft/, outbox.log, member-names.json
import { existsSync, fsyncSync, mkdirSync, openSync, closeSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { NOTEBOOK_FILE } from '../net/index.ts';
import { MEMBER_NAMES_FILE, RAFT_DIR } from './data-dir.ts';
import { OUTBOX_FILE } from './outbox.ts';

/** LEFT_DIR is the folder of the data directory that holds the notebooks this peer left. */
export const LEFT_DIR = 'left';

/** The notebook's own files, the notebook file first. */
const NOTEBOOK_FILES = [NOTEBOOK_FILE, RAFT_DIR, OUTBOX_FILE, MEMBER_NAMES_FILE];

/** moveNotebookAside moves the notebook's files into <data>/left/<label>-<time>/ and returns that folder. */
export function moveNotebookAside(dataDir: string, label: string, now: Date): string {
  const folder = join(dataDir, LEFT_DIR, `${label}-${now.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const name of NOTEBOOK_FILES) {
    if (existsSync(join(dataDir, name))) renameSync(join(dataDir, name), join(folder, name));
  }
  syncDir(folder);
  syncDir(dataDir);
  return folder;
}

/** moveLeftovers moves aside what an interrupted move left of a notebook (a log without its notebook file); null when there was nothing. */
export function moveLeftovers(dataDir: string, now: Date): string | null {
  if (existsSync(join(dataDir, NOTEBOOK_FILE))) return null;
  if (!NOTEBOOK_FILES.some((name) => existsSync(join(dataDir, name)))) return null;
  return moveNotebookAside(dataDir, 'unfinished', now);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

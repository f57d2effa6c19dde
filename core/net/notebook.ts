// A notebook is one Raft group: `{ id, name, key }`. Its 32-byte key is the
// libp2p private-network (pnet) pre-shared key, so a device without it cannot
// complete a connection to any member (docs/architecture.md, "The network").
import { randomBytes } from 'node:crypto';
import { InvalidNotebookError } from './errors.ts';

/** Notebook names one Raft group and holds the key that admits devices to it. */
export interface Notebook {
  /** 32 lowercase hex characters (16 random bytes). */
  id: string;
  /** What people call it: 1 to 100 characters, no control characters. */
  name: string;
  /** The pnet pre-shared key: exactly NOTEBOOK_KEY_BYTES bytes. */
  key: Uint8Array;
}

/** NOTEBOOK_KEY_BYTES is the length of a notebook key, the pnet key length. */
export const NOTEBOOK_KEY_BYTES = 32;

/** NOTEBOOK_ID_BYTES is the number of random bytes in a notebook id. */
export const NOTEBOOK_ID_BYTES = 16;

/** MAX_NOTEBOOK_NAME_LENGTH bounds a notebook name in characters. */
export const MAX_NOTEBOOK_NAME_LENGTH = 100;

const ID_PATTERN = /^[0-9a-f]{32}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** notebookNameProblem says what is wrong with a notebook name, or null when it is fine. */
export function notebookNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.trim().length === 0) return 'the name is empty';
  if (name.length > MAX_NOTEBOOK_NAME_LENGTH) return `the name is longer than ${MAX_NOTEBOOK_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return 'the name contains control characters';
  return null;
}

/** notebookProblem says what is wrong with a notebook record, or null when it is valid. */
export function notebookProblem(nb: Notebook): string | null {
  if (typeof nb.id !== 'string' || !ID_PATTERN.test(nb.id)) return 'the id is not 32 lowercase hex characters';
  const nameProblem = notebookNameProblem(nb.name);
  if (nameProblem !== null) return nameProblem;
  if (!(nb.key instanceof Uint8Array) || nb.key.byteLength !== NOTEBOOK_KEY_BYTES) {
    return `the key is not ${NOTEBOOK_KEY_BYTES} bytes`;
  }
  return null;
}

/** assertNotebook throws InvalidNotebookError unless `nb` is a valid notebook. */
export function assertNotebook(nb: Notebook): void {
  const problem = notebookProblem(nb);
  if (problem !== null) throw new InvalidNotebookError(`invalid notebook: ${problem}`);
}

/** createNotebook makes a new notebook with a fresh random id and key. */
export function createNotebook(name: string): Notebook {
  const nb: Notebook = {
    id: randomBytes(NOTEBOOK_ID_BYTES).toString('hex'),
    name: name.trim(),
    key: new Uint8Array(randomBytes(NOTEBOOK_KEY_BYTES)),
  };
  assertNotebook(nb);
  return nb;
}

/**
 * notebookPsk formats the notebook key the way @libp2p/pnet expects a
 * pre-shared key: the text of a go-ipfs swarm.key file,
 * `/key/swarm/psk/1.0.0/\n/base16/\n<64 hex digits>`.
 */
export function notebookPsk(nb: Notebook): Uint8Array {
  assertNotebook(nb);
  const hex = Buffer.from(nb.key).toString('hex');
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${hex}`);
}

// writeFileDurably replaces a small file atomically and durably: write a
// temporary file, fsync it, rename it over the old one, fsync the directory.
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** writeFileDurably replaces `path` with `data`; after it resolves, a crash leaves the new content. */
export async function writeFileDurably(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w', mode);
  try {
    await file.writeFile(data);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

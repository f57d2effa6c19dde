// A small tmpfs for tests of a full disk: mounted by the test (as root), unmounted after.

import { execFileSync } from 'node:child_process';

/** mountTmpfs mounts a tmpfs of `size` (e.g. "1m") on `dir`, or returns why it cannot (not root). */
export function mountTmpfs(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim();
  }
}

/** resizeTmpfs gives the tmpfs on `dir` a new size: how a test frees space on a full disk. */
export function resizeTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir], { stdio: 'pipe' });
}

/** unmount unmounts `dir`, detaching it lazily when something still holds it. */
export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

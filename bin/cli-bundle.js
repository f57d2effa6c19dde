// Where the bundled `raftnotes` command lives (scripts/build-cli.ts writes it)
// and whether it may run: a bundle is used only while no file it was built
// from changed since its build began, so a developer who edits core/ never
// runs stale code. Plain JavaScript: bin/raftnotes.js reads it before any
// TypeScript is loaded.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** ROOT is the repository (or installed package) folder, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** SOURCES_ENTRY is the TypeScript entry of the command; Node 22 strips its types at run time. */
export const SOURCES_ENTRY = 'cli/main.ts';
/** BUNDLE is the one-file build of SOURCES_ENTRY, relative to ROOT. */
export const BUNDLE = 'dist/cli/raftnotes.js';
/** COMPILE_CACHE is where Node keeps V8's compiled code of BUNDLE between starts (module.enableCompileCache). */
export const COMPILE_CACHE = 'dist/cli/compile-cache';
/** MANIFEST lists the files BUNDLE was built from and when that build began (format in scripts/build-cli.ts). */
export const MANIFEST = 'dist/cli/manifest.json';

/**
 * bundleProblem says why BUNDLE must not run (missing, unreadable manifest,
 * or a file it was built from is newer than its build), or returns null when
 * it is fresh. `root` is the folder holding bin/, dist/ and the sources.
 * @param {string} [root]
 * @returns {string | null}
 */
export function bundleProblem(root = ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(root + MANIFEST, 'utf8'));
    statSync(root + BUNDLE);
  } catch {
    return `there is no bundle (${BUNDLE})`;
  }
  if (manifest?.version !== 1 || typeof manifest.startedAt !== 'number' || !Array.isArray(manifest.inputs)) {
    return `${MANIFEST} is not one this version writes`;
  }
  for (const input of manifest.inputs) {
    let mtime;
    try {
      mtime = statSync(root + input).mtimeMs;
    } catch {
      return `${input}, which the bundle was built from, is gone`;
    }
    if (mtime > manifest.startedAt) return `${input} changed after the bundle was built`;
  }
  return null;
}

/**
 * cliEntry is the module to run: the bundle when it is fresh, else the
 * sources, with a one-line notice (`problem`). RAFTNOTES_FROM_SOURCES=1 asks
 * for the sources (readable stack traces, or timing the sources).
 * @param {string} [root]
 * @returns {{ url: URL, bundle: boolean, problem: string | null }}
 */
export function cliEntry(root = ROOT) {
  const base = pathToFileURL(root);
  if (process.env.RAFTNOTES_FROM_SOURCES === '1') return { url: new URL(SOURCES_ENTRY, base), bundle: false, problem: null };
  const problem = bundleProblem(root);
  return { url: new URL(problem === null ? BUNDLE : SOURCES_ENTRY, base), bundle: problem === null, problem };
}

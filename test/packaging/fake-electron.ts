// A stand-in for an Electron binary, for the packaging tests: the real one is
// downloaded by electron's install script or by electron-builder, and this
// machine reaches no download site. What the packaging touches of the binary
// is its fuse wire, which @electron/fuses finds by a sentinel:
//
//   … "dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX" <version: 1> <length: n> <n fuse bytes> …
//
// each fuse byte '0' (disabled), '1' (enabled), 'r' (removed). The stand-in
// carries Electron's defaults, so a test sees what the packaging flipped.
import { readFile } from 'node:fs/promises';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** FUSE_NAMES are the fuses of the wire in order (@electron/fuses' FuseV1Options). */
export const FUSE_NAMES = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
] as const;

/** FuseName is the name of one fuse. */
export type FuseName = (typeof FUSE_NAMES)[number];

/** ELECTRON_DEFAULTS are the fuses of an Electron binary as released (Electron's docs/tutorial/fuses.md). */
export const ELECTRON_DEFAULTS: Record<FuseName, boolean> = {
  RunAsNode: true,
  EnableCookieEncryption: false,
  EnableNodeOptionsEnvironmentVariable: true,
  EnableNodeCliInspectArguments: true,
  EnableEmbeddedAsarIntegrityValidation: false,
  OnlyLoadAppFromAsar: false,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: true,
};

/**
 * PACKAGED_FUSES is what every packaged Raftnotes must have, written out here
 * rather than taken from scripts/after-pack.ts, so the tests check the hook:
 * the fuses the issue asks for, the others as Electron ships them.
 */
export const PACKAGED_FUSES: Record<FuseName, boolean> = {
  ...ELECTRON_DEFAULTS,
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
};

/** fakeElectronBinary is a file with Electron's default fuse wire between filler bytes. */
export function fakeElectronBinary(): Buffer {
  const wire = FUSE_NAMES.map((name) => (ELECTRON_DEFAULTS[name] ? 0x31 : 0x30));
  return Buffer.concat([Buffer.alloc(4096, 0x7f), Buffer.from(SENTINEL, 'latin1'), Buffer.from([1, wire.length, ...wire]), Buffer.alloc(4096, 0x7f)]);
}

/** readFuses reads the fuse wire of a binary: each fuse's state, true when enabled. */
export async function readFuses(path: string): Promise<Record<FuseName, boolean>> {
  const bytes = await readFile(path);
  const at = bytes.indexOf(SENTINEL, 0, 'latin1');
  if (at < 0) throw new Error(`no fuse wire in ${path}`);
  const wire = at + SENTINEL.length;
  if (bytes[wire] !== 1) throw new Error(`fuse wire version ${bytes[wire]} in ${path}, expected 1`);
  const states = {} as Record<FuseName, boolean>;
  FUSE_NAMES.forEach((name, i) => {
    const state = bytes[wire + 2 + i];
    if (state !== 0x30 && state !== 0x31) throw new Error(`fuse ${name} of ${path} is ${state}, neither '0' nor '1'`);
    states[name] = state === 0x31;
  });
  return states;
}

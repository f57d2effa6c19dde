// after-pack is electron-builder's `afterPack` hook (electron-builder.yml): it
// flips the Electron fuses of the packaged binary, features built into Electron
// that Raftnotes does not use and that an attacker on the machine could:
//
//   RunAsNode off                            ELECTRON_RUN_AS_NODE would make the signed app a plain Node.js
//                                            (the main process therefore cannot child_process.fork(): use utilityProcess)
//   EnableNodeOptionsEnvironmentVariable off NODE_OPTIONS could --require code into the main process
//   EnableNodeCliInspectArguments off        --inspect would open a debugger on the main process
//   EnableCookieEncryption on                cookies on disk encrypted with the OS keychain's key
//   EnableEmbeddedAsarIntegrityValidation on app.asar checked against the hash electron-builder embeds
//                                            (macOS and Windows; Electron has no such check on Linux)
//   OnlyLoadAppFromAsar on                   the app is read from app.asar only, never from a folder beside it
//
// The other fuses keep Electron's defaults. It runs after the app is assembled and before it is signed:
// a fuse flipped after signing would break the signature. electron-builder
// runs a TypeScript hook with the Node.js that runs it (22, which strips types).
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import { Arch, type AfterPackContext } from 'electron-builder';

/** FUSES are the fuse settings of every packaged Raftnotes, by @electron/fuses' names. */
export const FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
} as const satisfies Partial<Record<keyof typeof FuseV1Options, boolean>>;

/** fuseConfig is the @electron/fuses configuration for one packaged platform and architecture. */
export function fuseConfig(electronPlatformName: string, arch: Arch): FuseV1Config {
  return {
    version: FuseVersion.V1,
    // Apple silicon runs no binary with a broken signature, and flipping fuses breaks Electron's ad-hoc one:
    // sign it ad hoc again (a real identity, when electron-builder has one, signs over it afterwards).
    resetAdHocDarwinSignature: electronPlatformName === 'darwin' && arch === Arch.arm64,
    [FuseV1Options.RunAsNode]: FUSES.RunAsNode,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: FUSES.EnableNodeOptionsEnvironmentVariable,
    [FuseV1Options.EnableNodeCliInspectArguments]: FUSES.EnableNodeCliInspectArguments,
    [FuseV1Options.EnableCookieEncryption]: FUSES.EnableCookieEncryption,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: FUSES.EnableEmbeddedAsarIntegrityValidation,
    [FuseV1Options.OnlyLoadAppFromAsar]: FUSES.OnlyLoadAppFromAsar,
  };
}

/**
 * afterPack flips the fuses of the app electron-builder just assembled, through
 * the packager's own addElectronFuses, which knows each platform's binary
 * (Raftnotes.exe, Raftnotes.app's framework, raftnotes) and calls @electron/fuses.
 */
export async function afterPack(context: AfterPackContext): Promise<void> {
  await context.packager.addElectronFuses(context, fuseConfig(context.electronPlatformName, context.arch));
}

export default afterPack;

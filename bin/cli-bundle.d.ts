// Types of bin/cli-bundle.js, for the TypeScript that imports it (scripts/build-cli.ts, test helpers, benches).

/** ROOT is the repository (or installed package) folder, with a trailing slash. */
export declare const ROOT: string;
/** SOURCES_ENTRY is the TypeScript entry of the command, relative to ROOT. */
export declare const SOURCES_ENTRY: string;
/** BUNDLE is the one-file build of SOURCES_ENTRY, relative to ROOT. */
export declare const BUNDLE: string;
/** COMPILE_CACHE is where Node keeps V8's compiled code of BUNDLE between starts, relative to ROOT. */
export declare const COMPILE_CACHE: string;
/** MANIFEST lists the files BUNDLE was built from and when that build began. */
export declare const MANIFEST: string;
/** bundleProblem says why BUNDLE must not run, or returns null when it is fresh. */
export declare function bundleProblem(root?: string): string | null;
/** cliEntry is the module to run (the bundle when fresh, else the sources) and why not the bundle. */
export declare function cliEntry(root?: string): { url: URL; bundle: boolean; problem: string | null };

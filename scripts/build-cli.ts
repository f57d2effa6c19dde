// build-cli bundles the `raftnotes` command (cli/main.ts and everything
// it imports, node_modules included) into one ES module, dist/cli/raftnotes.js,
// so a peer starts without loading and type-stripping some 600 modules.
// bin/raftnotes.js runs the bundle when it is fresh and the sources otherwise.
//
//   npm run build:cli
//
// Beside the bundle, dist/cli/manifest.json records what the bundle was built
// from (format below); bin/raftnotes.js compares those files' modification
// times with the moment the build started to tell a stale bundle:
//
//   { "version": 1, "startedAt": <ms since the epoch, when the build began>,
//     "entry": "cli/main.ts",
//     "inputs": ["cli/main.ts", …, "package-lock.json"] }   // paths relative to the repository
//
// The inputs are the project's own files that went into the bundle (not those
// under node_modules, which change only with an install) plus the lock files,
// which every `npm install` rewrites.
//
// The bundled code finds the package's other files (the web UI, bin/) by
// walking up from `import.meta.url` to the package.json (core/paths.ts), so
// the bundle may sit at any depth.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { builtinsByRequire, REQUIRE_BANNER } from './esbuild-node.ts';
import { BUNDLE as BUNDLE_PATH, bundleProblem, COMPILE_CACHE, MANIFEST as MANIFEST_PATH, ROOT, SOURCES_ENTRY } from '../bin/cli-bundle.js';

const BUNDLE = join(ROOT, BUNDLE_PATH);
const MANIFEST = join(ROOT, MANIFEST_PATH);
/** Files an install rewrites: a bundle older than them may hold other versions of the dependencies. */
const LOCK_FILES = ['package-lock.json', 'node_modules/.package-lock.json'];

/** buildCli writes dist/cli/raftnotes.js and its manifest and returns the manifest's inputs. */
export async function buildCli(): Promise<string[]> {
  const startedAt = Date.now();
  await mkdir(dirname(BUNDLE), { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [SOURCES_ENTRY],
    outfile: BUNDLE,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    metafile: true,
    sourcemap: 'linked',
    // Less to parse at every start (1.5 MB down to 1 MB); names are kept, so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    plugins: [builtinsByRequire],
    banner: { js: REQUIRE_BANNER },
  });
  // Files only: not node_modules, nor the stand-ins of built-in modules (namespace 'builtin:').
  const own = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/') && !p.includes('/node_modules/') && !p.startsWith('builtin:'));
  const inputs = [...own, ...LOCK_FILES.filter((f) => existsSync(join(ROOT, f)))];
  const manifest = { version: 1, startedAt, entry: SOURCES_ENTRY, inputs };
  // Written under temporary names and renamed, so a peer starting meanwhile sees the old bundle or the new one, never half of one;
  // the map first, the bundle after it.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const file of files) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    await writeFile(tmp, file.contents);
    await rename(tmp, file.path);
  }
  // V8's code cache of the old bundle is of no use to the new one.
  await rm(join(ROOT, COMPILE_CACHE), { recursive: true, force: true });
  // The manifest last: a bundle without one, or with an older one, is not trusted.
  await writeFile(`${MANIFEST}.${process.pid}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
  return inputs;
}

let building: Promise<void> | null = null;

/**
 * ensureCliBundle builds the bundle when it is missing or stale, so tests and
 * benchmarks that spawn bin/raftnotes.js run what users run: the bundle, built
 * from the sources as they are now. Concurrent calls share one build.
 */
export function ensureCliBundle(): Promise<void> {
  if (building !== null) return building;
  if (bundleProblem() === null) return Promise.resolve();
  building = buildCli().then(() => {}).finally(() => { building = null; });
  return building;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const inputs = await buildCli();
  console.log(`built ${BUNDLE_PATH} from ${inputs.length} project files in ${Math.round(performance.now() - t0)} ms (${MANIFEST_PATH} lists them)`);
}

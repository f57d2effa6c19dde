// build-app bundles the desktop app's Node-side programs with esbuild: the
// main process (app/main/main.ts, an ES module, dist/app/main.js, the `main`
// of package.json), the worker thread that runs its peer
// (app/peer-host/peer-worker.ts, dist/app/peer-worker.js) and the preload
// (app/preload/preload.ts, one CommonJS file, dist/app/preload.cjs, as a
// sandboxed preload must be).
// Electron is external: the running Electron provides it. The pages are the
// renderer's build (dist/renderer, `npm run build:renderer`).
//
//   npm run build:app
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { builtinsByRequire, REQUIRE_BANNER } from './esbuild-node.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** APP_OUT is where the bundles go, relative to the repository. */
export const APP_OUT = 'dist/app';

/** buildApp writes dist/app/main.js, dist/app/peer-worker.js and dist/app/preload.cjs and returns their paths. */
export async function buildApp(): Promise<{ main: string; worker: string; preload: string }> {
  const out = join(ROOT, APP_OUT);
  await mkdir(out, { recursive: true });
  const common: BuildOptions = {
    absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node22', external: ['electron'],
    sourcemap: 'linked', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning',
  };
  const main = join(out, 'main.js');
  const worker = join(out, 'peer-worker.js');
  const preload = join(out, 'preload.cjs');
  const esm: BuildOptions = { ...common, format: 'esm', plugins: [builtinsByRequire], banner: { js: REQUIRE_BANNER } };
  await Promise.all([
    build({ ...esm, entryPoints: ['app/main/main.ts'], outfile: main }),
    build({ ...esm, entryPoints: ['app/peer-host/peer-worker.ts'], outfile: worker }),
    // The preload runs sandboxed: it may require('electron') and nothing else of Node.
    build({ ...common, entryPoints: ['app/preload/preload.ts'], outfile: preload, format: 'cjs' }),
  ]);
  return { main, worker, preload };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const { main, worker, preload } = await buildApp();
  console.log(`built ${main}, ${worker} and ${preload} in ${Math.round(performance.now() - t0)} ms`);
}

// What every Node bundle of the project needs from esbuild (the command's,
// and the desktop app's main process): Node's built-in modules loaded with
// require(), and a require() for the CommonJS dependencies inside an ES module.
import { isBuiltin } from 'node:module';
import type { Plugin } from 'esbuild';

/** REQUIRE_BANNER gives an ES module bundle the require() its CommonJS dependencies call for Node's built-in modules. */
export const REQUIRE_BANNER = "import { createRequire as __raftnotesCreateRequire } from 'node:module'; const require = __raftnotesCreateRequire(import.meta.url);";

/**
 * builtinsByRequire loads Node's built-in modules with require() rather than
 * import: importing one as an ES module builds a facade that reads every
 * export, and node:http's exports include lazy getters that load undici
 * (about 55 ms at each start, measured; some 80 ms for all the built-ins the bundle uses).
 */
export const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      // The require() inside the stand-in module itself stays a plain call.
      if (args.namespace === 'builtin') return { path: args.path, external: true };
      return { path: args.path, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};


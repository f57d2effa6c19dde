#!/usr/bin/env node
// The raftnotes command. It runs the bundle dist/cli/raftnotes.js (built by
// `npm run build:cli`; about half the start-up time of the sources, which load
// some 600 modules) while that bundle is fresh. When it is missing or older
// than a file it was built from, it runs the TypeScript sources instead (Node
// 22 strips their types) and says so in one line on stderr: a developer who
// edits core/ gets the edited code, only slower, never stale code in silence.
// Rebuilding here instead would race when several peers start at once.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(`raftnotes needs Node.js 22 or newer (this is ${process.version}); run it through npx or npm scripts, which use the Node 22 installed in node_modules.\n`);
  process.exit(1);
}
// glibc's malloc raises its mmap threshold to the size of each large block freed (up to 32 MiB): once a
// snapshot's buffers of megabytes are freed, every smaller block comes from the heap, where freed blocks stay
// resident. A peer at rest after 200,000 notes kept 30-40 MiB more so (bench/results/design.md). A threshold
// given in the environment stays put, so the command runs itself again with one (execve: the same process,
// pid, arguments and standard streams; about 40 ms). Elsewhere than Linux, or without execve, it goes on as is.
// The same run gives V8 a smaller young generation, which can only be set when the heap is made: SEMI_SPACE_MIB
// in core/service/memory-release.ts says why (Node flags given to this command come after it, and win).
const V8_FLAGS = ['--max-semi-space-size=8'];
if (process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined && typeof process.execve === 'function') {
  try {
    process.execve(process.execPath, [process.execPath, ...V8_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, MALLOC_MMAP_THRESHOLD_: '1048576' });
  } catch {
    // not allowed here (a sandbox): the default allocator settings
  }
}
const { cliEntry, COMPILE_CACHE, ROOT } = await import('./cli-bundle.js');
const { url, bundle, problem } = cliEntry();
if (problem !== null) process.stderr.write(`raftnotes: running the sources, ${problem}; \`npm run build:cli\` bundles them for a faster start.\n`);
// V8's compiled code of the bundle, kept beside it, saves compiling 1 MB at every start; where that folder
// cannot be written (an installed copy), Node just goes without.
const nodeModule = await import('node:module');
if (bundle) nodeModule.enableCompileCache?.(ROOT + COMPILE_CACHE);
const { main } = await import(url.href);
// Written now, not at exit: a peer usually ends by a signal, and one killed outright never exits.
if (bundle) nodeModule.flushCompileCache?.();
process.exit(await main(process.argv.slice(2)));

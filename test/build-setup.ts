// Vitest's global setup: before any test file runs, build what the tests run
// when it is missing or older than its sources — the bundled `raftnotes`
// command (peers are spawned through bin/raftnotes.js, as users run them) and
// the web pages the peers and the demo serve. Done once here, in the main
// process, so parallel test files never race to build.
import { ensureCliBundle } from '../scripts/build-cli.ts';
import { ensureRendererBuilt } from '../scripts/build-renderer.ts';

export default async function setup(): Promise<void> {
  await ensureCliBundle();
  ensureRendererBuilt();
}

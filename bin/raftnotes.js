#!/usr/bin/env node
// The raftnotes command. Node 22 runs the TypeScript sources directly.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`raftnotes needs Node.js 22 or newer (this is ${process.version}); run it through npx or npm scripts, which use the Node 22 installed in node_modules.`);
  process.exit(1);
}
const { main } = await import('../core/service/cli.ts');
process.exit(await main(process.argv.slice(2)));

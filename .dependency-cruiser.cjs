// The import rules of Raftnotes (docs/architecture.md, "Layers"), checked by
// dependency-cruiser in the test command (`npm run lint:deps`) and by
// test/architecture/import-rules.test.ts. Dependencies point down:
//   renderer       ->  client, core/api/types.ts
//   app            ->  core (the desktop app's main process; its preload only the IPC channel names)
//   cli            ->  demo, core
//   demo           ->  client, core/api, core/service
//   core/api  ->  core/service  ->  core/net, core/storage  ->  core/notes, core/raft
// Test files may import anything; test support lives in `testing/` folders and test/.

/** Tests and test support: they may reach anywhere, and nothing else may reach them. */
const TEST = '(\\.test\\.ts$|/testing/|^test/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files that import each other (at run time) cannot be understood or loaded one at a time.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'core-not-outward',
      severity: 'error',
      comment: 'core/ runs in every process (the command, the desktop main process): it never imports the pages, the app, the command, the demo, benchmarks or tests.',
      from: { path: '^core/', pathNot: TEST },
      to: { path: '^(renderer|app|client|cli|demo|bench|scripts|test)/' },
    },
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      comment: 'Product code never imports test support (testing/ folders, test/); the benchmarks and scripts may, they are tools.',
      from: { pathNot: `${TEST}|^(bench|scripts)/` },
      to: { path: '(/testing/|^test/)' },
    },
    {
      name: 'raft-is-pure',
      severity: 'error',
      comment: 'core/raft is a deterministic state machine: it imports nothing but itself (no Node, no packages, no I/O).',
      from: { path: '^core/raft/', pathNot: TEST },
      to: { pathNot: '^core/raft/' },
    },
    {
      name: 'notes-is-pure',
      severity: 'error',
      comment: 'core/notes is the replicated state machine: deterministic, only itself and core/raft.',
      from: { path: '^core/notes/', pathNot: TEST },
      to: { pathNot: '^core/(notes|raft)/' },
    },
    {
      name: 'storage-below-net-and-service',
      severity: 'error',
      from: { path: '^core/storage/', pathNot: TEST },
      to: { path: '^core/(net|service|api)/' },
    },
    {
      name: 'net-below-service',
      severity: 'error',
      from: { path: '^core/net/', pathNot: TEST },
      to: { path: '^core/(service|api)/' },
    },
    {
      name: 'service-below-api',
      severity: 'error',
      comment: 'The service knows no transport: core/api adapts it to HTTP and IPC.',
      from: { path: '^core/service/', pathNot: TEST },
      to: { path: '^core/api/' },
    },
    {
      name: 'renderer-only-api-types',
      severity: 'error',
      comment: 'The pages know the peer only through the API: from core they import core/api/types.ts alone.',
      from: { path: '^renderer/' },
      to: { path: '^core/', pathNot: '^core/api/types\\.ts$' },
    },
    {
      name: 'renderer-not-servers',
      severity: 'error',
      comment: 'The pages run in a browser: no command, no demo server (but its types, demo/view.ts), no tests.',
      from: { path: '^renderer/' },
      to: { path: '^(cli|demo|test|bench|scripts|app)/', pathNot: '^demo/view\\.ts$' },
    },
    {
      name: 'client-only-api-types',
      severity: 'error',
      comment: 'client/ runs in browsers and Node alike: from core it imports core/api/types.ts and the event stream\'s note columns (core/api/note-columns.ts) alone, and nothing of Node.',
      from: { path: '^client/', pathNot: TEST },
      to: { path: '^(core/(?!api/(types|note-columns)\\.ts$)|renderer/|cli/|demo/|test/)' },
    },
    {
      name: 'browser-code-without-node',
      severity: 'error',
      comment: 'The pages and the client run in browsers: no Node built-in modules.',
      from: { path: '^(renderer|client)/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-only-in-app',
      severity: 'error',
      comment: 'Only the desktop app imports Electron; everything else runs in Node and browsers too.',
      from: { pathNot: `${TEST}|^app/` },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'preload-is-small',
      severity: 'error',
      comment: 'The preload runs sandboxed: it requires electron and bundles only the channel names.',
      from: { path: '^app/preload/' },
      to: { pathNot: '^(core/api/ipc/channels\\.ts$|node_modules/electron/)' },
    },
    {
      name: 'api-types-are-types',
      severity: 'error',
      comment: 'core/api/types.ts is what the pages import: types, and constants from modules that import nothing at run time.',
      from: { path: '^core/(api/types|service/views|notes/limits)\\.ts$' },
      to: { dependencyTypesNot: ['type-only'], pathNot: '^core/(service/views|notes/limits)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte', '.json'] },
  },
};

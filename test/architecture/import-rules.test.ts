// The import rules of .dependency-cruiser.cjs (docs/architecture.md, "Layers"):
// the repository keeps them, and each rule catches the import it forbids in a
// small tree made for the purpose (a rule that catches nothing would pass too).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
  options: ICruiseOptions;
};

/** violations cruises `paths` under `baseDir` with the repository's rules. */
async function violations(baseDir: string, paths: string[], tsConfig?: string): Promise<IViolation[]> {
  const { options } = config;
  const result = await cruise(paths, {
    ...options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    ...(tsConfig === undefined ? { tsConfig: undefined } : { tsConfig: { fileName: tsConfig } }),
  });
  if (typeof result.output === 'string') throw new Error('expected a cruise result, not text');
  return result.output.summary.violations;
}

const planted: string[] = [];
afterAll(async () => {
  await Promise.all(planted.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('ImportRules', () => {
  it('holds for the whole repository', async () => {
    const found = await violations(ROOT, ['core', 'cli', 'demo', 'client', 'app', 'renderer/src', 'test', 'bench', 'scripts'], 'tsconfig.json');
    expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 60_000);

  it('catches each forbidden direction in a tree made to break them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-imports-'));
    planted.push(dir);
    const files: Record<string, string> = {
      'renderer/src/page.ts': "import { x } from '../../core/service/thing.ts';\nimport { y } from '../../demo/server.ts';\nexport const p = x + y;\n",
      'renderer/src/ok.ts': "import type { T } from '../../core/api/types.ts';\nimport { MAX } from '../../core/api/types.ts';\nexport const o: T = MAX;\n",
      'core/api/types.ts': "import { x } from '../service/thing.ts';\nexport type T = number;\nexport const MAX = x;\n",
      'core/service/thing.ts': "import { page } from '../../renderer/src/helper.ts';\nimport { api } from '../api/adapter.ts';\nimport { fake } from './testing/fake.ts';\nexport const x = page + api + fake;\n",
      'core/service/testing/fake.ts': 'export const fake = 1;\n',
      'core/api/adapter.ts': 'export const api = 1;\n',
      'renderer/src/helper.ts': 'export const page = 1;\n',
      'demo/server.ts': 'export const y = 1;\n',
      'core/raft/node.ts': "import { readFileSync } from 'node:fs';\nimport { doc } from '../notes/doc.ts';\nexport const n = [readFileSync, doc];\n",
      'core/notes/doc.ts': "import { store } from '../storage/store.ts';\nexport const doc = store;\n",
      'core/storage/store.ts': "import { peer } from '../net/peer.ts';\nexport const store = peer;\n",
      'core/net/peer.ts': "import { x } from '../service/thing.ts';\nexport const peer = x;\n",
      'client/stream.ts': "import { request } from 'node:http';\nimport { x } from '../core/service/thing.ts';\nexport const s = [request, x];\n",
      'core/net/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'core/net/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      'node_modules/electron/package.json': '{"name":"electron","main":"index.js"}',
      'node_modules/electron/index.js': 'module.exports = "/path/to/electron";\n',
      'core/service/window.ts': "import electron from 'electron';\nexport const w = electron;\n",
      'app/preload/preload.ts': "import { contextBridge } from 'electron';\nimport { OPS } from '../../core/api/ipc/channels.ts';\nimport { x } from '../../core/service/thing.ts';\nexport const p = [contextBridge, OPS, x];\n",
      'core/api/ipc/channels.ts': 'export const OPS = [];\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const found = (await violations(dir, ['core', 'client', 'renderer', 'app'])).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    expect(found).toEqual(expect.arrayContaining([
      'renderer-only-api-types: renderer/src/page.ts -> core/service/thing.ts',
      'renderer-not-servers: renderer/src/page.ts -> demo/server.ts',
      'api-types-are-types: core/api/types.ts -> core/service/thing.ts',
      'core-not-outward: core/service/thing.ts -> renderer/src/helper.ts',
      'service-below-api: core/service/thing.ts -> core/api/adapter.ts',
      'no-test-code-in-product: core/service/thing.ts -> core/service/testing/fake.ts',
      'raft-is-pure: core/raft/node.ts -> fs',
      'raft-is-pure: core/raft/node.ts -> core/notes/doc.ts',
      'notes-is-pure: core/notes/doc.ts -> core/storage/store.ts',
      'storage-below-net-and-service: core/storage/store.ts -> core/net/peer.ts',
      'net-below-service: core/net/peer.ts -> core/service/thing.ts',
      'client-only-api-types: client/stream.ts -> core/service/thing.ts',
      'browser-code-without-node: client/stream.ts -> http',
      'no-circular: core/net/a.ts -> core/net/b.ts',
      'electron-only-in-app: core/service/window.ts -> node_modules/electron/index.js',
      'preload-is-small: app/preload/preload.ts -> core/service/thing.ts',
    ]));
    expect(found.filter((f) => f.startsWith('preload-is-small') && !f.endsWith('core/service/thing.ts'))).toEqual([]);
    expect(found.filter((f) => f.includes('renderer/src/ok.ts'))).toEqual([]);
  }, 60_000);
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { erasable, generateModule, PROTO_FILES, unusedOpts } from './generate.ts';

const here = (file: string) => new URL(file, import.meta.url).pathname;

describe('generate:proto', () => {
  it.each(PROTO_FILES)('keeps the module generated from %s up to date', async (proto) => {
    const committed = await readFile(here(proto.replace(/\.proto$/, '.ts')), 'utf8');
    const fresh = await generateModule(here(proto));
    expect(fresh === committed, `${proto} changed since its module was generated: run npm run generate:proto`).toBe(true);
  });

  it('rewrites an enum and its namespace as a type, a reverse mapping and a constant', () => {
    const out = erasable([
      'export enum Kind {', "  A = 'A',", "  B = 'B'", '}', '',
      'enum __KindValues {', '  A = 0,', '  B = 1', '}', '',
      'export namespace Kind {', '  export const codec = (): Codec<Kind> => {', '    return enumeration<Kind>(__KindValues)', '  }', '}',
    ].join('\n'));
    expect(out).toContain("export type Kind = 'A' | 'B'");
    expect(out).toContain("const __KindValues = {\n  A: 0,\n  B: 1,\n  '0': 'A',\n  '1': 'B',\n} as const");
    expect(out).toContain("return { A: 'A', B: 'B', codec } as const");
    expect(out).not.toMatch(/\b(enum|namespace) /);
  });

  it('moves a namespace\'s interfaces to the top level and returns its values', () => {
    const out = erasable([
      'export namespace M {', '  let _codec: Codec<M>', '',
      '  export interface MXFieldEvent {', "    field: '$.x'", '  }', '',
      '  export function encode (obj: Partial<M>): Uint8Array {', '    return encodeMessage(obj, M.codec())', '  }', '}',
    ].join('\n'));
    expect(out).toContain('export const M = (() => {\n  let _codec: Codec<M>');
    expect(out).toContain('  function encode (obj: Partial<M>)');
    expect(out).toContain('  return { encode } as const\n})()');
    expect(out).toContain("export interface MXFieldEvent {\n  field: '$.x'\n}");
  });

  it('refuses protons output of a shape it does not know', () => {
    expect(() => erasable('export enum Kind {\n  A = 1\n}')).toThrow(/unexpected line/);
    expect(() => erasable('export namespace M {\n  export class C {}\n}')).toThrow(/unexpected line/);
    expect(() => erasable('export namespace M {\n  export namespace N {\n  }\n}')).toThrow(/unexpected line/);
    expect(() => erasable('enum Other {\n}')).toThrow(/unexpected line/);
  });

  it('renames only the opts that a callback does not read', () => {
    const out = unusedOpts([
      '      _codec = message<M>((obj, w, opts = {}) => {', '        if (opts.lengthDelimited !== false) {}',
      '      }, (reader, length, opts = {}) => {', '        return {}',
      '      }, function * (reader, length, prefix, opts = {}) {', '        opts.limits',
      '      })',
    ].join('\n')).split('\n');
    expect(out[0]).toContain('(obj, w, opts = {})');
    expect(out[2]).toContain('(reader, length, _opts = {})');
    expect(out[4]).toContain('(reader, length, prefix, opts = {})');
  });
});

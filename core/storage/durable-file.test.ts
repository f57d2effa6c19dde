import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileDurably } from './durable-file.ts';
import { makeTempDir, removeDir } from './testing/temp-dir.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('writeFileDurably', () => {
  let dir: string;
  beforeEach(() => { dir = makeTempDir('rn-durable-'); });
  afterEach(() => { removeDir(dir); });

  it('writes the parts, replaces an earlier file and leaves no temporary file', () => {
    expect(writeFileDurably(dir, 'f', [text('one '), text('two')], 0o600)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'f'), 'utf8')).toBe('one two');
    expect(fs.statSync(path.join(dir, 'f')).mode & 0o777).toBe(0o600);
    expect(writeFileDurably(dir, 'f', [text('three')])).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'f'), 'utf8')).toBe('three');
    expect(fs.readdirSync(dir)).toEqual(['f']);
  });

  it('creates a file once with exclusive, and leaves an existing one as it is', () => {
    expect(writeFileDurably(dir, 'key', [text('first')], 0o600, { exclusive: true })).toBe(true);
    expect(writeFileDurably(dir, 'key', [text('second')], 0o600, { exclusive: true })).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'key'), 'utf8')).toBe('first');
    expect(fs.statSync(path.join(dir, 'key')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['key']);
  });

  it('lets exactly one of several processes create a file at once', async () => {
    const module = new URL('./durable-file.ts', import.meta.url).href;
    const start = Date.now() + 500;
    const script = `
      const { writeFileDurably } = await import(${JSON.stringify(module)});
      while (Date.now() < ${start});
      console.log(writeFileDurably(${JSON.stringify(dir)}, 'key', [new TextEncoder().encode(String(process.pid))], 0o600, { exclusive: true }));`;
    const runs = Array.from({ length: 4 }, () => new Promise<{ pid: number; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.on('error', reject);
      child.on('exit', (code) => code === 0 ? resolve({ pid: child.pid!, out: out.trim() }) : reject(new Error(`exit ${code}`)));
    }));
    const results = await Promise.all(runs);
    const winners = results.filter((r) => r.out === 'true');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.out === 'false')).toHaveLength(3);
    expect(fs.readFileSync(path.join(dir, 'key'), 'utf8')).toBe(String(winners[0]!.pid));
    expect(fs.readdirSync(dir)).toEqual(['key']);
  });

  it('removes its temporary file when the write cannot be put in place', () => {
    fs.mkdirSync(path.join(dir, 'f'));
    fs.writeFileSync(path.join(dir, 'f', 'inside'), 'x'); // a non-empty directory: rename over it fails
    expect(() => writeFileDurably(dir, 'f', [text('data')])).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['f']);
  });
});

// scripts/build-icons.ts: the icons of the three OSes, made from build/icon.svg.
// Each file is read back by its container's rules (PNG signature and IHDR,
// ICO directory, ICNS chunks), the .ico also by resedit, the parser
// electron-builder embeds the .exe's icon with, and all three are handed to
// electron-builder's icon resolution, which must take them as they are: its
// converter is a program it would download. What cannot be checked here: how
// Windows, macOS and the Linux desktops draw them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { Data } from 'resedit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIcons, LINUX_SIZES, renderPng, SOURCE } from '../../scripts/build-icons.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** pngSize reads a PNG's signature and its IHDR chunk (the first, at byte 8): width, height, and colour type (6: RGBA). */
function pngSize(png: Buffer): { width: number; height: number; colorType: number } {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25]! };
}

/** icoEntries reads an ICO's directory: 6-byte header (0, type 1, count), 16 bytes an entry (width and height 0 meaning 256). */
function icoEntries(ico: Buffer): { size: number; format: 'png' | 'bmp'; bytes: Buffer }[] {
  expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => {
    const at = 6 + 16 * i;
    const [width, height] = [ico[at] || 256, ico[at + 1] || 256];
    expect(height).toBe(width);
    const bytes = ico.subarray(ico.readUInt32LE(at + 12), ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8));
    if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
      expect(pngSize(bytes)).toMatchObject({ width, height });
      return { size: width, format: 'png', bytes };
    }
    // A bitmap: BITMAPINFOHEADER (40 bytes), its height counting the AND mask's rows too, 32 bits a pixel.
    expect([bytes.readUInt32LE(0), bytes.readInt32LE(4), bytes.readInt32LE(8), bytes.readUInt16LE(14)]).toEqual([40, width, 2 * height, 32]);
    return { size: width, format: 'bmp', bytes };
  });
}

/** ICNS_PNG_TYPES are the .icns chunk types that hold a PNG, and the pixel size of each (ic11 to ic14: the Retina ones). */
const ICNS_PNG_TYPES: Record<string, number> = { ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512 };

/** icnsChunks reads an ICNS: 'icns', the file's length, then chunks of a type, their length (header included) and data. */
function icnsChunks(icns: Buffer): Map<string, Buffer> {
  expect(icns.toString('latin1', 0, 4)).toBe('icns');
  expect(icns.readUInt32BE(4)).toBe(icns.length);
  const chunks = new Map<string, Buffer>();
  for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
    expect(icns.readUInt32BE(at + 4)).toBeGreaterThan(8);
    chunks.set(icns.toString('latin1', at, at + 4), icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)));
  }
  return chunks;
}

describe('build-icons', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'raftnotes-icons-'));
    await buildIcons(SOURCE, out);
  }, 60_000);
  afterAll(async () => { await rm(out, { recursive: true, force: true }); });

  it('writes an RGBA PNG of each hicolor size for Linux, named NxN.png', async () => {
    for (const size of LINUX_SIZES) {
      expect(pngSize(await readFile(join(out, 'icons', `${size}x${size}.png`)))).toEqual({ width: size, height: size, colorType: 6 });
    }
  });

  it('writes an .ico of 16 to 256 pixels: bitmaps under 64, PNG above, as Windows draws them', async () => {
    const entries = icoEntries(await readFile(join(out, 'icon.ico')));
    expect(entries.map((e) => `${e.size}:${e.format}`).sort()).toEqual(
      ['16:bmp', '24:bmp', '32:bmp', '48:bmp', '64:png', '72:png', '96:png', '128:png', '256:png'].sort());
  });

  it('writes an .ico that resedit, electron-builder\'s icon embedder, reads', async () => {
    const icons = Data.IconFile.from(await readFile(join(out, 'icon.ico'))).icons;
    expect(icons.map((i) => i.data.width ?? 0).sort((a, b) => a - b)).toEqual([16, 24, 32, 48, 64, 72, 96, 128, 256]);
  });

  it('writes an .icns of 16 to 1024 pixels, Retina included: PNG from 128, packed RGB and a mask at 16 and 32', async () => {
    const chunks = icnsChunks(await readFile(join(out, 'icon.icns')));
    expect([...chunks.keys()].sort()).toEqual([...Object.keys(ICNS_PNG_TYPES), 'is32', 's8mk', 'il32', 'l8mk'].sort());
    for (const [type, size] of Object.entries(ICNS_PNG_TYPES)) expect(pngSize(chunks.get(type)!), type).toMatchObject({ width: size, height: size });
    // The small sizes as every macOS reads them: RLE-packed RGB (is32, il32) and an 8-bit alpha mask, one byte a pixel.
    expect([chunks.get('s8mk')!.length, chunks.get('l8mk')!.length]).toEqual([16 * 16, 32 * 32]);
  });

  it('makes icons electron-builder takes as they are, with nothing to convert or download', async () => {
    // app-builder-lib's own resolution of `icon` (not a public module: an upgrade may move it, and this test says so).
    const { convertIcon } = createRequire(import.meta.url)('app-builder-lib/out/util/iconConverter.js') as {
      convertIcon(o: { sources: string[]; fallbackSources: string[]; roots: string[]; format: string; outDir: string }): Promise<{ icons: { file: string }[]; isFallback: boolean }>;
    };
    const resolve = (format: string, source: string) => convertIcon({ sources: [source], fallbackSources: [], roots: [out], format, outDir: join(out, 'converted') });
    expect(await resolve('ico', 'icon.ico')).toEqual({ icons: [{ file: join(out, 'icon.ico'), size: 256 }], isFallback: false });
    expect(await resolve('icns', 'icon.icns')).toEqual({ icons: [{ file: join(out, 'icon.icns'), size: 0 }], isFallback: false });
    expect(await resolve('set', 'icons')).toEqual({
      icons: LINUX_SIZES.map((size) => ({ file: join(out, 'icons', `${size}x${size}.png`), size })), isFallback: false });
  });

  it('draws the icon: an opaque tile, a white page, transparent corners', async () => {
    const { pixels, width } = new Resvg(await readFile(SOURCE), { fitTo: { mode: 'width', value: 64 } }).render();
    const rgba = (x: number, y: number) => [...pixels.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    expect(rgba(0, 0)[3]).toBe(0);
    expect(rgba(10, 32)[3]).toBe(255);
    expect(rgba(32, 24)).toEqual([255, 255, 255, 255]);
  });

  it('refuses a source that is not square', () => {
    const wide = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>');
    expect(() => renderPng(wide, 16)).toThrow(/must be square/);
  });
});

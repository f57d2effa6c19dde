// build-icons renders the one source image, build/icon.svg, into the icons
// electron-builder packs (`npm run dist` runs it first):
//
//   npm run build:icons
//
//   build/icons/NxN.png   Linux, N = 16 … 512: AppImage, deb and rpm install them into the hicolor theme
//   build/icon.ico        Windows: the .exe's icon and the NSIS installer's, 16 … 256 px
//   build/icon.icns       macOS: 16 … 1024 px
//
// They are build outputs (.gitignore), made here rather than by electron-builder:
// its converter is a program it downloads at build time, while @resvg/resvg-js
// ships as npm packages (a prebuilt binary per platform) and png2icons is plain
// JavaScript. electron-builder takes an .ico, an .icns and a folder of NxN.png
// as they are (app-builder-lib's iconConverter; test/packaging/icons.test.ts
// checks it does).
//
// The Linux PNGs are rendered from the vector at each size. The .ico and .icns
// are made by png2icons from one 1024 px render, downscaled: indistinguishable
// from rendering each size (compared at 16 and 32 px). In the .ico, sizes under
// 64 px are bitmaps, the larger PNG-compressed (png2icons' `forWinExe`): older
// Windows dialogs draw small PNG entries badly.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { BICUBIC, createICNS, createICO } from 'png2icons';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** SOURCE is the one image every icon is made from. */
export const SOURCE = join(ROOT, 'build', 'icon.svg');
/** BUILD_RESOURCES is electron-builder's `directories.buildResources`, where the icons go. */
export const BUILD_RESOURCES = join(ROOT, 'build');
/** LINUX_SIZES are the hicolor theme's sizes that build/icons/ holds. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;
/** MASTER_SIZE is the size of the render the .ico and .icns are scaled from (the largest .icns entry). */
export const MASTER_SIZE = 1024;

/** renderPng rasterizes the SVG to a square PNG of `size` pixels. */
export function renderPng(svg: Buffer, size: number): Buffer {
  // No fonts are loaded: the icon has no text, and loading the system's fonts would make the output depend on the machine.
  const image = new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } }).render();
  if (image.width !== size || image.height !== size) throw new Error(`the icon source must be square: rendered ${image.width}x${image.height} for ${size}`);
  return image.asPng();
}

/** renderIcons makes every icon file from the SVG, in memory: paths relative to the build resources folder, and their bytes. */
export function renderIcons(svg: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const size of LINUX_SIZES) files.set(join('icons', `${size}x${size}.png`), renderPng(svg, size));
  const master = renderPng(svg, MASTER_SIZE);
  const ico = createICO(master, BICUBIC, 0, false, true);
  const icns = createICNS(master, BICUBIC, 0);
  // png2icons answers null instead of throwing (and logs nothing unless given a logger).
  if (ico === null || icns === null) throw new Error('png2icons could not convert the rendered icon');
  files.set('icon.ico', ico);
  files.set('icon.icns', icns);
  return files;
}

/** buildIcons renders `source` into `outDir` and returns the paths written. */
export async function buildIcons(source: string = SOURCE, outDir: string = BUILD_RESOURCES): Promise<string[]> {
  const files = renderIcons(await readFile(source));
  const written: string[] = [];
  for (const [name, bytes] of files) {
    const path = join(outDir, name);
    await mkdir(dirname(path), { recursive: true });
    // Renamed into place, so a packager reading meanwhile never takes half a file.
    await writeFile(`${path}.${process.pid}.tmp`, bytes);
    await rename(`${path}.${process.pid}.tmp`, path);
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const written = await buildIcons();
  console.log(`wrote ${written.length} icons from build/icon.svg in ${Math.round(performance.now() - t0)} ms`);
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, placeWindow, readWindowState, WINDOW_STATE_FILE, writeWindowState } from './window-state.ts';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });
const screen = { x: 0, y: 0, width: 1920, height: 1040 };

describe('WindowState', () => {
  it('remembers the window across starts, and reads a damaged file as none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftnotes-window-'));
    dirs.push(dir);
    expect(readWindowState(dir)).toBeNull();
    writeWindowState(dir, { bounds: { x: 100, y: 80, width: 900, height: 700 }, maximized: true });
    expect(readWindowState(dir)).toEqual({ bounds: { x: 100, y: 80, width: 900, height: 700 }, maximized: true });
    await writeFile(join(dir, WINDOW_STATE_FILE), '{"bounds":{"x":"left"}}');
    expect(readWindowState(dir)).toBeNull();
  });

  it('puts the window back where a display shows it, fitted to it, and elsewhere opens it at the default size', () => {
    expect(placeWindow({ bounds: { x: 100, y: 80, width: 900, height: 700 }, maximized: false }, [screen]).bounds).toEqual({ x: 100, y: 80, width: 900, height: 700 });
    // Remembered on a second screen that is gone.
    expect(placeWindow({ bounds: { x: 2500, y: 80, width: 900, height: 700 }, maximized: false }, [screen]).bounds).toEqual(DEFAULT_SIZE);
    // Larger than the display, and partly off it: fitted.
    expect(placeWindow({ bounds: { x: 1500, y: 0, width: 3000, height: 2000 }, maximized: false }, [screen]).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
    expect(placeWindow(null, [screen])).toEqual({ bounds: DEFAULT_SIZE, maximized: false });
  });
});

// The window's size and position, remembered across starts in the profile's
// userData (window-state.json), and put back only where a display still shows
// it (a laptop undocked from its second screen must not open a window
// nowhere). Electron-free: main.ts gives it the displays' work areas.
import { readFileSync } from 'node:fs';
import { writeFileDurably } from '../../core/storage/index.ts';

/** WINDOW_STATE_FILE is the file in the profile's userData. */
export const WINDOW_STATE_FILE = 'window-state.json';

/** Bounds is a rectangle in screen coordinates. */
export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** WindowState is what is remembered of the window. */
export interface WindowState {
  bounds: Bounds;
  maximized: boolean;
}

/** DEFAULT_SIZE is the first window's size. */
export const DEFAULT_SIZE = { width: 1100, height: 760 } as const;
/** MIN_SIZE is the smallest window the pages are laid out for. */
export const MIN_SIZE = { width: 480, height: 400 } as const;

/** readWindowState reads the remembered state from `dir`, or null when there is none or it is damaged. */
export function readWindowState(dir: string): WindowState | null {
  try {
    const value = JSON.parse(readFileSync(`${dir}/${WINDOW_STATE_FILE}`, 'utf8')) as Partial<WindowState>;
    const b = value.bounds;
    const ok = b !== undefined && [b.x, b.y, b.width, b.height].every((n) => Number.isSafeInteger(n)) && typeof value.maximized === 'boolean';
    return ok ? { bounds: b, maximized: value.maximized! } : null;
  } catch {
    return null;
  }
}

/** writeWindowState remembers the state in `dir`. */
export function writeWindowState(dir: string, state: WindowState): void {
  writeFileDurably(dir, WINDOW_STATE_FILE, [Buffer.from(JSON.stringify(state))], 0o600);
}

/**
 * placeWindow is where to open the window: the remembered bounds when at
 * least a 100 px square of its title area lies on one of `workAreas`, resized
 * to fit that area; else the default size, centred by the window manager.
 */
export function placeWindow(state: WindowState | null, workAreas: Bounds[]): { bounds: Partial<Bounds> & { width: number; height: number }; maximized: boolean } {
  if (state !== null) {
    const { bounds } = state;
    const area = workAreas.find((a) => overlap(a, { x: bounds.x, y: bounds.y, width: bounds.width, height: 100 }) >= 100 * 100);
    if (area !== undefined) {
      const width = clamp(bounds.width, MIN_SIZE.width, area.width);
      const height = clamp(bounds.height, MIN_SIZE.height, area.height);
      return { bounds: { x: clamp(bounds.x, area.x, area.x + area.width - width), y: clamp(bounds.y, area.y, area.y + area.height - height), width, height }, maximized: state.maximized };
    }
  }
  return { bounds: { ...DEFAULT_SIZE }, maximized: state?.maximized ?? false };
}

function overlap(a: Bounds, b: Bounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuActions } from './menu.ts';

const actions = (): MenuActions => ({ copyInvite: vi.fn(), exportNotes: vi.fn(), openDataFolder: vi.fn(), setOffline: vi.fn(), setLocalApi: vi.fn() });
const items = (menu: MenuItemConstructorOptions[]) => menu.flatMap((m) => [m, ...((m.submenu ?? []) as MenuItemConstructorOptions[])]);
const find = (menu: MenuItemConstructorOptions[], label: string) => items(menu).find((i) => i.label === label);

describe('Menu', () => {
  it('has the Edit roles text editing depends on, and the app menu on macOS only', () => {
    const mac = menuTemplate('darwin', { hasNotebook: true, offline: false, localApi: false }, actions());
    const edit = mac.find((m) => m.label === 'Edit')!.submenu as MenuItemConstructorOptions[];
    expect(edit.map((i) => i.role).filter(Boolean)).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
    expect(mac[0]!.role).toBe('appMenu');
    const linux = menuTemplate('linux', { hasNotebook: true, offline: false, localApi: false }, actions());
    expect(linux.some((m) => m.role === 'appMenu')).toBe(false);
    expect(items(linux).some((i) => i.role === 'quit')).toBe(true);
  });

  it('runs the app\'s commands, says "Reconnect" while offline, and disables notebook commands on a first run', () => {
    const a = actions();
    const online = menuTemplate('linux', { hasNotebook: true, offline: false, localApi: false }, a);
    find(online, 'Copy invite code')!.click!({} as never, undefined, {} as never);
    find(online, 'Export as Markdown…')!.click!({} as never, undefined, {} as never);
    find(online, 'Go offline')!.click!({} as never, undefined, {} as never);
    find(online, 'Local API for scripts')!.click!({} as never, undefined, {} as never);
    expect(a.copyInvite).toHaveBeenCalled();
    expect(a.exportNotes).toHaveBeenCalledWith('md');
    expect(a.setOffline).toHaveBeenCalledWith(true);
    expect(a.setLocalApi).toHaveBeenCalledWith(true);
    const offline = menuTemplate('linux', { hasNotebook: true, offline: true, localApi: true }, a);
    expect(find(offline, 'Reconnect')).toBeDefined();
    expect(find(offline, 'Local API for scripts')!.checked).toBe(true);
    const firstRun = menuTemplate('linux', { hasNotebook: false, offline: false, localApi: false }, a);
    expect(find(firstRun, 'Copy invite code')!.enabled).toBe(false);
    expect(find(firstRun, 'Open data folder')!.enabled).not.toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { checkProfileName, DEFAULT_PROFILE, profileDataDir, profileFromArgs, profileUserData, userDataDir } from './profiles.ts';

describe('Profiles', () => {
  it('gives the default profile and each named one a data directory of its own under the user data folder', () => {
    expect(profileDataDir('/u', DEFAULT_PROFILE)).toBe('/u/notebook');
    expect(profileDataDir('/u', 'demo-a')).toBe('/u/profiles/demo-a/notebook');
    expect(profileUserData('/u', 'demo-a')).toBe('/u/profiles/demo-a');
    expect(profileUserData('/u', DEFAULT_PROFILE)).toBe('/u');
    expect(profileDataDir('/u', 'demo-b')).not.toBe(profileDataDir('/u', 'demo-a'));
  });

  it('reads --profile from the command line and refuses a name that is not a plain folder name', () => {
    expect(profileFromArgs(['/opt/raftnotes', '--profile', 'demo-a'])).toBe('demo-a');
    expect(profileFromArgs(['--profile=b_2'])).toBe('b_2');
    expect(profileFromArgs(['--other'])).toBe(DEFAULT_PROFILE);
    for (const bad of ['../x', 'a/b', '', 'a'.repeat(41), 'con fig']) expect(() => checkProfileName(bad)).toThrow(/--profile/);
    expect(() => profileFromArgs(['--profile'])).toThrow(/needs a name/);
  });

  it('finds the user data folder where Electron keeps it on each OS', () => {
    expect(userDataDir('linux', {}, '/home/ada')).toBe('/home/ada/.config/Raftnotes');
    expect(userDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/ada')).toBe('/x/Raftnotes');
    expect(userDataDir('darwin', {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/Raftnotes');
    expect(userDataDir('win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'C:\\Users\\ada')).toMatch(/Raftnotes$/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseStartArgs, UsageError } from '../../scripts/start.ts';

describe('npm start arguments', () => {
  it('reads the profile and whether to open the page, from --no-open or RAFTNOTES_NO_OPEN=1', () => {
    expect(parseStartArgs([], {})).toEqual({ help: false, profile: 'default', open: true });
    expect(parseStartArgs(['--profile', 'demo-a', '--no-open'], {})).toEqual({ help: false, profile: 'demo-a', open: false });
    expect(parseStartArgs(['--profile=demo-b'], { RAFTNOTES_NO_OPEN: '1' })).toMatchObject({ profile: 'demo-b', open: false });
    expect(parseStartArgs(['-h'], {})).toMatchObject({ help: true });
  });

  it('refuses unknown flags, positional arguments and profile names that are no plain folder name', () => {
    for (const argv of [['--bogus'], ['serve'], ['--profile'], ['--profile', 'a/b'], ['--no-open=yes']]) {
      expect(() => parseStartArgs(argv, {}), argv.join(' ')).toThrow(UsageError);
    }
  });
});

// A clean `npm ci` is reproducible and quiet: package-lock.json is complete
// (every package of package.json is in it), every package with an install
// script has an allowScripts decision in package.json (a new one would make
// npm warn, or run a script nobody looked at).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface LockPackage {
  version?: string;
  hasInstallScript?: boolean;
}

const PACKAGE = JSON.parse(read('package.json')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const LOCK = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockPackage> };

/** packageName turns a lock key (node_modules/a/node_modules/@b/c) into the package's name (@b/c). */
function packageName(key: string): string {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('Install', () => {
  it('locks every dependency of package.json', () => {
    const wanted = [...Object.keys(PACKAGE.dependencies), ...Object.keys(PACKAGE.devDependencies)];
    const missing = wanted.filter((name) => LOCK.packages[`node_modules/${name}`] === undefined);
    expect(missing).toEqual([]);
  });

  it('decides for every package with an install script whether it runs (allowScripts)', () => {
    const withScripts = Object.entries(LOCK.packages)
      .filter(([key, pkg]) => key !== '' && pkg.hasInstallScript === true)
      .map(([key]) => packageName(key));
    expect(withScripts.length).toBeGreaterThan(0);
    const undecided = [...new Set(withScripts)].filter((name) => typeof PACKAGE.allowScripts[name] !== 'boolean');
    expect(undecided).toEqual([]);
  });
});

// readYaml parses the project's YAML files for the packaging tests with
// js-yaml 4, the parser electron-builder itself reads electron-builder.yml
// with (a dependency of app-builder-lib, found from the repository's root).
// It ships no types: the one function used is typed here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

/** readYaml parses a YAML file into plain data. */
export function readYaml(path: string): unknown {
  return yaml.load(readFileSync(path, 'utf8'));
}

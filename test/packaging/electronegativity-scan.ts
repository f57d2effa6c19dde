// electronegativityScan runs @doyensec/electronegativity (1.10) over a folder
// of the desktop app's sources through its programmatic API, as the tests
// need it:
//
// - offline: it fetches translations and Electron's release list from GitHub
//   at every run. A stand-in for its HTTP client answers the first "not found"
//   (it then uses its bundled English); the check that needs the second
//   (AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, "is there a newer Electron with
//   security fixes") is left out: it says nothing about our code, and without
//   its list it finds nothing anyway.
// - for the Electron we ship: its checks depend on the version's defaults,
//   which it would otherwise look for in a package.json inside the folder.
// - nothing unread: it reads .js, .jsx, .ts, .tsx, .html and .json files
//   (TypeScript through @babel/parser's typescript plugin), and skips others
//   (.mts, .cts, .mjs, .cjs) without a word; those, and files it failed to
//   parse, are returned, so a test can refuse them instead of passing.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));

/** Finding is one problem electronegativity reports. */
export interface Finding {
  id: string;
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  confidence: 'CERTAIN' | 'FIRM' | 'TENTATIVE';
  /** file is relative to the scanned folder; global checks, about the app as a whole, say 'N/A'. */
  file: string;
  line: number;
  manualReview: boolean;
  description: string;
}

/** ScanResult is what a scan found, and what it could not read. */
export interface ScanResult {
  findings: Finding[];
  /** unreadable are files it failed to parse, with its error. */
  unreadable: string[];
  /** unscanned are script files of the folder it never opens (by their extension). */
  unscanned: string[];
}

interface RawIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name: Finding['severity'] };
  confidence: { name: Finding['confidence'] };
  manualReview: boolean;
  description: string;
}
type Run = (options: Record<string, unknown>) => Promise<{ issues: RawIssue[]; errors: { file: string; message: string; tolerable: boolean }[] }>;

const READ = new Set(['.js', '.jsx', '.ts', '.tsx', '.html', '.htm', '.json']);
const SCRIPT = /\.(m|c)?(j|t)sx?$/;

let loaded: Run | null = null;

/** load installs the offline stand-in for electronegativity's HTTP client, then loads electronegativity. */
function load(): Run {
  if (loaded !== null) return loaded;
  const home = require.resolve('@doyensec/electronegativity');
  const got = createRequire(home).resolve('got');
  // A 404 for the translations: it keeps its bundled English without a word (a thrown error would be printed).
  const offline = Object.assign(async () => ({ statusCode: 404, body: '' }),
    { head: async () => { throw new Error('offline: the packaging tests reach no network'); } });
  // Node's module cache is the seam: electronegativity's require('got') is answered from it.
  require.cache[got] = { id: got, filename: got, loaded: true, exports: offline } as unknown as NodeJS.Module;
  loaded = require(home) as Run;
  return loaded;
}

function scriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SCRIPT.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** electronegativityScan scans `dir` with every check electronegativity has but the one that needs the network. */
export async function electronegativityScan(dir: string): Promise<ScanResult> {
  const run = load();
  const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
  const { issues, errors } = await run({
    input: dir,
    isRelative: true,
    electronVersionOverride: electronVersion,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
  return {
    findings: issues.map((i) => ({
      id: i.id, severity: i.severity.name, confidence: i.confidence.name, file: i.file, line: i.location.line,
      manualReview: i.manualReview, description: i.description,
    })),
    unreadable: errors.filter((e) => !e.tolerable).map((e) => `${relative(dir, e.file)}: ${e.message}`),
    unscanned: scriptFiles(dir).filter((f) => !READ.has(extname(f))),
  };
}

/**
 * blocks tells a finding that fails the build: every HIGH one, and any about
 * Node integration, which 1.10 rates INFORMATIONAL even when a window sets
 * `nodeIntegration: true` (its HIGH is only for Electron < 5's default).
 */
export function blocks(finding: Finding): boolean {
  return finding.severity === 'HIGH' || finding.id === 'NODE_INTEGRATION_JS_CHECK';
}

/** formatFinding is one line of a test's message. */
export function formatFinding(f: Finding): string {
  return `${f.severity} ${f.confidence} ${f.id} at ${f.file}:${f.line}${f.manualReview ? ' (review by hand)' : ''}: ${f.description}`;
}

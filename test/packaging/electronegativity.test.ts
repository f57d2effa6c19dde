// @doyensec/electronegativity over the desktop app's sources (app/), as they
// are whatever they are: nothing of high severity, nothing it could not read.
// Fixtures show the check can fail: a window without context isolation, one
// with Node integration (which 1.10 rates below HIGH, so blocks() adds it),
// and a main process that follows the checklist, which must pass.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blocks, electronegativityScan, formatFinding, type ScanResult } from './electronegativity-scan.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));

/** verdict is what a test compares: the blocking findings, and the files the scan could not look into. */
function verdict(scan: ScanResult): { blocking: string[]; unreadable: string[]; unscanned: string[] } {
  return { blocking: scan.findings.filter(blocks).map(formatFinding), unreadable: scan.unreadable, unscanned: scan.unscanned };
}

describe('Electronegativity', () => {
  it('finds nothing of high severity in app/, and reads every file there', async () => {
    const scan = await electronegativityScan(join(ROOT, 'app'));
    const others = scan.findings.filter((f) => !blocks(f)).map(formatFinding);
    // The others are printed with a failure, so whoever fixes it sees the whole report.
    expect(verdict(scan), `all findings but the blocking ones:\n${others.join('\n') || '(none)'}`)
      .toEqual({ blocking: [], unreadable: [], unscanned: [] });
  }, 30_000);

  it('passes a main process that follows Electron\'s security checklist', async () => {
    expect(verdict(await electronegativityScan(join(FIXTURES, 'secure-window')))).toEqual({ blocking: [], unreadable: [], unscanned: [] });
  }, 30_000);

  it('flags a window without context isolation', async () => {
    const { blocking } = verdict(await electronegativityScan(join(FIXTURES, 'no-context-isolation')));
    expect(blocking).toEqual([expect.stringMatching(/^HIGH \w+ CONTEXT_ISOLATION_JS_CHECK at main\.ts:9/)]);
  }, 30_000);

  it('flags a window with Node integration', async () => {
    const { blocking } = verdict(await electronegativityScan(join(FIXTURES, 'node-integration')));
    expect(blocking).toEqual([expect.stringMatching(/^INFORMATIONAL \w+ NODE_INTEGRATION_JS_CHECK at main\.ts:9/)]);
  }, 30_000);
});

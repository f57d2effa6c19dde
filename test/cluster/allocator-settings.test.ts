// bin/raftnotes.js runs itself again with a fixed mmap threshold for glibc's
// malloc (a peer at rest after a burst of writes then keeps 30-40 MiB less)
// and V8's young generation of memory-release.ts: the same process, its ready
// line as before, the setting in its environment, the flag on its command line.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SEMI_SPACE_MIB } from '../../core/service/memory-release.ts';
import { LOCAL } from './cluster-helpers.ts';
import { killAll, PeerProcess, removeDirs, tempDir } from './peer-process.ts';

afterEach(async () => {
  await killAll();
  await removeDirs();
});

/** environOf is the environment process `pid` runs with. */
function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((e) => e !== '');
  return new Map(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

describe.runIf(process.platform === 'linux')('the allocator settings of raftnotes', () => {
  it('are set in the environment and on the command line of the process it runs as, and a threshold set by the user is kept', async () => {
    const a = new PeerProcess(await tempDir(), 'A');
    await a.start(['--create', 'Tuned', ...LOCAL]);
    expect(environOf(a.pid!).get('MALLOC_MMAP_THRESHOLD_')).toBe('1048576');
    expect(readFileSync(`/proc/${a.pid!}/cmdline`, 'utf8').split('\0')).toContain(`--max-semi-space-size=${SEMI_SPACE_MIB}`);
    expect((await a.api('GET', '/api/status')).body.notebook).toMatchObject({ name: 'Tuned' });
    expect(await a.stop()).toBe(0);

    await a.start(LOCAL, { MALLOC_MMAP_THRESHOLD_: '262144' });
    expect(environOf(a.pid!).get('MALLOC_MMAP_THRESHOLD_')).toBe('262144');
    expect(await a.stop()).toBe(0);
  }, 60_000);
});

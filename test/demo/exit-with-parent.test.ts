// No orphaned peers: `raftnotes serve --exit-with-parent` stops gently when its
// stdin pipe closes, and the demo starts its peers that way, so a demo killed
// with SIGKILL (which runs none of its exit handlers) takes its peers with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDirs, tempDir, waitFor } from '../cluster/peer-process.ts';
import { DemoProcess, isAlive, stopAllDemos } from './demo-process.ts';

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;
const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await stopAllDemos();
  await removeDirs();
}, 60_000);

/** Serve is one `raftnotes serve` with a pipe on its stdin, its API, its stderr lines and its exit code. */
interface Serve {
  child: ChildProcess;
  api: string;
  token: string;
  logs: string[];
  exited: Promise<number | null>;
}

/** startServe runs `raftnotes serve` on a new notebook with stdin a pipe, and waits for its ready line. */
async function startServe(extra: string[]): Promise<Serve> {
  const dataDir = await tempDir('raftnotes-parent-');
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dataDir, '--create', 'Orphans', '--name', 'P',
    '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  const ready = await new Promise<{ api: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 20 s:\n${logs.join('\n')}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"event":"ready"')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { api: string; token: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${logs.join('\n')}`));
    });
  });
  return { child, api: ready.api, token: ready.token, logs, exited };
}

describe('ExitWithParent', () => {
  it('stops serve gently, exit code 0, when its stdin closes, even with an event stream open', async () => {
    const serve = await startServe(['--exit-with-parent']);
    // An open stream, as the demo's dashboard holds on each peer (a lone peer logs nothing while it stops, so the
    // write-after-end crash this once caused is reproduced in http-api.test.ts).
    const events = new AbortController();
    const stream = await fetch(`${serve.api}/api/events`, { headers: { authorization: `Bearer ${serve.token}` }, signal: events.signal });
    expect(stream.status).toBe(200);
    void stream.body!.pipeTo(new WritableStream()).catch(() => {});
    serve.child.stdin!.end();
    const code = await Promise.race([serve.exited, new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000))]);
    events.abort();
    expect(code, serve.logs.join('\n')).toBe(0);
    expect(serve.logs.join('\n')).toContain('stdin closed: the process that started this peer is gone; stopping');
  });

  it('leaves serve running when stdin closes without the flag', async () => {
    const serve = await startServe([]);
    serve.child.stdin!.end();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(serve.child.exitCode).toBe(null);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('stops every peer of a demo killed with SIGKILL', async () => {
    const demo = new DemoProcess();
    await demo.start(['--nodes', '3']);
    const pids = [...demo.pids];
    expect(pids).toHaveLength(3);
    // A settled, quiet cluster: a peer that still logs when the demo dies may crash on the closed stderr (EPIPE),
    // which would pass this test without any --exit-with-parent; a quiet orphan runs on forever.
    await demo.leader();
    await waitFor('three voters', async () => {
      const { body } = await demo.peerApi('A', 'GET', '/api/status');
      return body.members.filter((m: { voter: boolean }) => m.voter).length === 3;
    }, 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    await demo.kill();
    await waitFor('every peer of the killed demo to exit', () => pids.every((pid) => !isAlive(pid)), 15_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}; still running: ${pids.filter(isAlive).join(', ')}`);
      });
  }, 90_000);
});

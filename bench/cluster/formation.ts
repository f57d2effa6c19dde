// Formation: five peers start at the same moment, each in its own network
// namespace on one bridge (test/lan/netns.ts), with mDNS and no addresses of
// each other, and form one cluster of five voters. The first peer's data
// directory holds the new notebook (as `--create` would leave it); the other
// four get an invite code without addresses, so only mDNS can bring them
// together. Measured from the spawn of the processes to the leader's status
// listing five voters.
import { createNotebook, formatInvite, writeNotebookFile } from '../../core/net/index.ts';
import { writeProfile } from '../../core/service/data-dir.ts';
import { Child, removeTempDir, tempDir } from './children.ts';
import { apiCall, parseReady, type ReadyLine } from './raftnotes-cluster.ts';
import { machineBusySeconds, sleep } from './load.ts';
import { ensureCliBundle } from '../../scripts/build-cli.ts';

const BIN = new URL('../../bin/raftnotes.js', import.meta.url).pathname;
const PEERS = 5;
/** How often the bench asks every ready peer for its status while it knows no leader, and the leader once it does. */
const POLL_ALL_MS = 50;
const POLL_LEADER_MS = 20;
/** How bin/raftnotes.js starts its notice when it runs the sources instead of the bundle. */
const SOURCES_NOTICE = 'raftnotes: running the sources';

/** LanHostLike is what the bench needs of a namespace of test/lan/netns.ts. */
export interface LanHostLike {
  /** One letter: a, b, c, … */
  name: string;
  /** An address of the namespace that the root namespace reaches (its control link). */
  controlAddr: string;
  /** The command prefix that runs a program inside the namespace. */
  exec: readonly string[];
}

/** FormationRun is one cold start of five peers. */
export interface FormationRun {
  /** ms from spawn to five voters in the leader's status, or null when that did not happen in time. */
  formedMs: number | null;
  /** ms from spawn to the last ready line (process start, storage, libp2p, API). */
  allReadyMs: number;
  /** ms from spawn to the first ready line. */
  firstReadyMs: number;
  /** votersAtMs[k] is the ms from spawn to the first status of a leader listing k + 1 voters. */
  votersAtMs: (number | null)[];
  /** Cores other work on the machine kept busy meanwhile (neither the five peers nor the bench). */
  othersCpu: number;
  /** CPU seconds the five peers used, from spawn to the end of the run. */
  peersCpuSeconds?: number;
  error?: string;
  /** Every peer's output, when formOnce was asked to keep it (for diagnosis). */
  logs?: string;
}

/** FormOptions tunes formOnce. */
export interface FormOptions {
  /** Give up after this many ms. Default 30 s. */
  timeoutMs?: number;
  /** Keep every peer's output in FormationRun.logs. */
  keepLogs?: boolean;
  /** The command to run instead of this checkout's bin/raftnotes.js (to compare with another version, e.g. a copy of an older commit). */
  bin?: string;
}

/** formOnce starts five fresh peers in the namespaces and waits for one cluster of five voters. */
export async function formOnce(hosts: readonly LanHostLike[], options: FormOptions = {}): Promise<FormationRun> {
  const { timeoutMs = 30_000, keepLogs = false, bin = BIN } = options;
  if (hosts.length < PEERS) throw new Error(`formation needs ${PEERS} namespaces, got ${hosts.length}`);
  if (bin === BIN) await ensureCliBundle(); // peers run the bundle, as users' do
  const notebook = createNotebook('Formation bench');
  const invite = formatInvite({ notebook, addrs: [] });
  const dirs: string[] = [];
  for (let i = 0; i < PEERS; i++) dirs.push(await tempDir(`raftnotes-form-${hosts[i]!.name}-`));
  await writeNotebookFile(dirs[0]!, notebook);
  await writeProfile(dirs[0]!, { name: hosts[0]!.name, origin: 'created' });

  const children: Child[] = [];
  const readies: (ReadyLine | null)[] = Array.from({ length: PEERS }, () => null);
  const readyAt: number[] = [];
  const t0 = performance.now();
  const machine0 = machineBusySeconds();
  const own0 = process.cpuUsage();
  for (let i = 0; i < PEERS; i++) {
    const h = hosts[i]!;
    // Default listen addresses and mDNS, as a user would start a peer; the API on the namespace's control link.
    const args = [...h.exec.slice(1), process.execPath, bin, 'serve', '--data', dirs[i]!, '--name', h.name,
      '--api', `${h.controlAddr}:0`, ...(i === 0 ? [] : ['--invite', invite])];
    children.push(new Child(`form ${h.name}`, h.exec[0]!, args));
  }
  try {
    const ready = Promise.all(children.map(async (c, i) => {
      readies[i] = await c.waitForLine('ready line', parseReady);
      readyAt.push(performance.now() - t0);
    }));
    let failed = false;
    ready.catch(() => { failed = true; });
    const deadline = t0 + timeoutMs;
    const votersAtMs: (number | null)[] = Array.from({ length: PEERS }, () => null);
    let formedMs: number | null = null;
    // Polling is work for the peers on a machine they share: every ready peer until one leads, then the leader alone.
    let leader: ReadyLine | null = null;
    while (formedMs === null && !failed && performance.now() < deadline) {
      const asked: (ReadyLine | null)[] = leader !== null ? [leader] : readies;
      const statuses = await Promise.all(asked.map(async (r) => {
        if (r === null) return null;
        try {
          return (await apiCall<{ role: string; members: { voter: boolean }[] }>(r, 'GET', '/api/status', undefined, AbortSignal.timeout(500))).body;
        } catch {
          return null;
        }
      }));
      const now = performance.now() - t0;
      leader = null;
      for (const [i, s] of statuses.entries()) {
        if (s === null || s.role !== 'leader') continue;
        leader = asked[i]!;
        const voters = s.members.filter((m) => m.voter).length;
        for (let k = 0; k < voters && k < PEERS; k++) votersAtMs[k] ??= now;
      }
      if (votersAtMs[PEERS - 1] !== null) {
        formedMs = now;
      } else {
        await sleep(leader !== null ? POLL_LEADER_MS : POLL_ALL_MS);
      }
    }
    await ready;
    const own = process.cpuUsage(own0);
    const peersCpu = children.reduce((sum, c) => sum + c.cpuSeconds(), 0);
    const seconds = (performance.now() - t0) / 1000;
    const othersCpu = Math.max(0, machineBusySeconds() - machine0 - peersCpu - (own.user + own.system) / 1e6) / seconds;
    const run: FormationRun = { formedMs, allReadyMs: Math.max(...readyAt), firstReadyMs: Math.min(...readyAt), votersAtMs, othersCpu,
      peersCpuSeconds: peersCpu };
    if (formedMs === null) run.error = `no leader with ${PEERS} voters within ${timeoutMs} ms:\n${children.map((c) => c.tail(8)).join('\n')}`;
    if (keepLogs) run.logs = children.map((c) => c.tail(200)).join('\n');
    // A source file edited during the run makes bin/raftnotes.js run the (slower) sources; such a run measures something else.
    const fromSources = children.filter((c) => c.logs.some((l) => l.startsWith(SOURCES_NOTICE))).map((c) => c.name);
    if (fromSources.length > 0) run.error = `${fromSources.join(', ')} ran the sources, not the bundle (a file changed during the run)`;
    return run;
  } finally {
    await Promise.all(children.map((c) => c.kill()));
    await Promise.all(dirs.map((d) => removeTempDir(d)));
  }
}

/** coldStartMs starts one fresh peer with a new notebook alone in a namespace and returns the ms from spawn to its ready line. */
export async function coldStartMs(host: LanHostLike): Promise<number> {
  await ensureCliBundle();
  const dir = await tempDir(`raftnotes-cold-${host.name}-`);
  const t0 = performance.now();
  const child = new Child(`cold ${host.name}`, host.exec[0]!, [...host.exec.slice(1), process.execPath, BIN, 'serve', '--data', dir,
    '--name', host.name, '--create', 'Cold start', '--api', `${host.controlAddr}:0`]);
  try {
    await child.waitForLine('ready line', parseReady);
    return performance.now() - t0;
  } finally {
    await child.kill();
    await removeTempDir(dir);
  }
}

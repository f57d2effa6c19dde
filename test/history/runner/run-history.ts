// runHistory: one checked run. It forms a cluster of real peers, runs the
// clients and the faults for the given time, heals everything (restarts the
// dead, resumes the paused, reconnects the isolated, removes every cut and
// netem), lets the clients go on 2 s more, waits until every member holds the
// same state, records it, and checks the whole history. A failing run, one
// slow to converge (or any, with `keep`) leaves its history and every peer's
// log in a directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../core/testing/rng.ts';
import { killAll, removeDirs, waitFor } from '../../cluster/peer-process.ts';
import { checkHistory } from '../checker/check-history.ts';
import type { FaultKind, PeerFinal } from '../checker/history.ts';
import type { Verdict } from '../checker/verdicts.ts';
import { runClients } from './clients.ts';
import { Cluster } from './cluster.ts';
import { Faults } from './faults.ts';
import { createNetwork } from './network.ts';
import { callPeer } from './peer-api.ts';
import { Recorder } from './recorder.ts';
import { summarize, type RunSummary } from './summary.ts';

/** RunOptions say what one run does. */
export interface RunOptions {
  seconds: number;
  peers: number;
  seed: number;
  faults: FaultKind[];
  clients: number;
  network: 'namespaces' | 'loopback';
  /** --snapshot-every of every peer: small, so restarts and catch-up go through InstallSnapshot. */
  snapshotEvery: number;
  /** How many faults may be under way at once. */
  maxActive: number;
  /** Where kept runs go (a directory per run is made in it). */
  outDir: string;
  /** Keep the history and logs of a passing run too. */
  keep: boolean;
  /** Progress, a line at a time. */
  log: (line: string) => void;
}

/** DEFAULTS are the options a run takes unless told otherwise. */
export const DEFAULTS: Omit<RunOptions, 'seconds' | 'peers' | 'seed' | 'faults' | 'network'> = {
  clients: 10, snapshotEvery: 100, maxActive: 2, outDir: join(tmpdir(), 'raftnotes-history'), keep: false, log: () => {},
};

/** RunResult is every verdict, the figures, and where the history was kept (null when it was not). */
export interface RunResult {
  verdicts: Verdict[];
  summary: RunSummary;
  dir: string | null;
}

/** CONVERGE_MS is how long the members may take to agree after the heal. */
const CONVERGE_MS = 60_000;
/** A run whose members took longer than this to agree keeps its history and logs, like a failing one. */
const SLOW_CONVERGE_MS = 20_000;

/** runHistory runs and checks one history. */
export async function runHistory(options: RunOptions): Promise<RunResult> {
  const { seconds, peers, seed, faults: kinds, log } = options;
  const recorder = new Recorder();
  const rng = new Rng(seed);
  const network = await createNetwork(peers, options.network);
  const cluster = new Cluster({ network, recorder, snapshotEvery: options.snapshotEvery });
  let faults: Faults | null = null;
  let failure: Error | null = null;
  try {
    log(`seed ${seed}: forming ${peers} peers (${network.kind})`);
    await cluster.form(peers);
    recorder.record({ type: 'start', seed, peers, seconds, faults: kinds, clients: options.clients, network: network.kind });
    const stopClients = new AbortController();
    const stopFaults = new AbortController();
    let clientError: Error | null = null;
    const clients = runClients({ cluster, recorder, rng, count: options.clients, signal: stopClients.signal }).catch((error: Error) => {
      clientError = error;
      stopFaults.abort();
    });
    faults = new Faults({ cluster, network, recorder, rng, kinds, maxActive: options.maxActive, signal: stopFaults.signal, log });
    const faulting = faults.run();
    log(`running ${options.clients} clients for ${seconds} s with faults: ${kinds.join(', ')}`);
    await hold(seconds * 1_000, stopFaults.signal);
    stopFaults.abort();
    await faulting;
    await heal(cluster, network, log);
    const healedAt = recorder.now();
    log(`healed at ${Math.round(healedAt)} ms`);
    await sleep(2_000);
    stopClients.abort();
    await clients;
    if (clientError !== null) throw clientError;
    const agreed = await converge(cluster);
    const convergedAt = agreed === null ? null : recorder.now();
    log(agreed === null ? 'the members did not agree in time' : `agreed at ${Math.round(convergedAt!)} ms`);
    recorder.record({ type: 'final', healedAt, convergedAt, peers: agreed ?? await finals(cluster) });
    await cluster.stopAll();
  } catch (error) {
    failure = error as Error;
  } finally {
    await killAll();
    await network.destroy();
  }
  const verdicts = failure === null ? checkHistory(recorder.events) : [];
  const summary = summarize(options, recorder.events, faults?.counts ?? new Map(), failure);
  const failed = failure !== null || verdicts.some((v) => !v.ok);
  // A slow convergence passes every verdict but is worth a look: its logs are kept too.
  const slow = summary.convergeMs !== null && summary.convergeMs > SLOW_CONVERGE_MS;
  let dir: string | null = null;
  if (failed || slow || options.keep) {
    dir = join(options.outDir, `seed-${seed}-${peers}p-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(dir, { recursive: true });
    await recorder.write(join(dir, 'history.jsonl'));
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ summary, verdicts, error: failure?.stack ?? null }, null, 2));
    for (const [i, { slot, peer }] of cluster.peers.entries()) await writeFile(join(dir, `peer-${slot}-${i + 1}.log`), peer.logs.join('\n') + '\n');
  }
  await removeDirs();
  if (failure !== null) {
    failure.message += dir !== null ? ` (history and logs kept in ${dir})` : '';
    throw failure;
  }
  return { verdicts, summary, dir };
}

/** heal undoes every fault still standing: cuts, netem, pauses, isolations, dead peers, members removed behind the runner's back. */
async function heal(cluster: Cluster, network: Awaited<ReturnType<typeof createNetwork>>, log: (line: string) => void): Promise<void> {
  for (const leftover of await network.heal()) log(`the heal found and removed a leftover: ${leftover}`);
  for (const s of cluster.slots) {
    if (s.paused) cluster.resume(s);
    if (!s.peer.running) await cluster.restart(s);
  }
  for (const s of cluster.slots) {
    await callPeer(s.peer.ready!, 'POST', '/api/network', { isolated: false });
    s.isolated = false;
  }
  // A removal answered 503 (or cut short by the end of the run) may have committed later: a peer
  // left out of the membership is replaced by a fresh one, as a user would (its outbox is lost).
  const members = await waitFor('a leader after the heal', async () => {
    const leader = await cluster.leader();
    const status = leader === null ? null : await cluster.statusOf(leader);
    return status !== null && 'body' in status ? new Set((status.body.members as Array<{ id: string }>).map((m) => m.id)) : undefined;
  }, 30_000).catch(() => null);
  for (const s of cluster.slots) {
    if (members !== null && !members.has(s.peer.ready!.peerId)) {
      log(`${s.name} is no longer a member: replaced by a fresh peer`);
      await cluster.replace(s, await cluster.invite(s));
    }
  }
}

/** converge waits until every slot's peer is a voter, all agree on one leader, term and commit index with nothing uncommitted or pending, and hold the same notes. */
async function converge(cluster: Cluster): Promise<PeerFinal[] | null> {
  const deadline = Date.now() + CONVERGE_MS;
  while (Date.now() < deadline) {
    const all = await finals(cluster, true);
    if (all !== null) {
      const [first] = all;
      const same = all.every((p) => p.commitIndex === first!.commitIndex && JSON.stringify(p.notes) === JSON.stringify(first!.notes));
      if (same) return all;
    }
    await sleep(250);
  }
  return null;
}

/**
 * finals reads every slot's state. With `strict`, null unless every peer
 * answers as a voter under one leader and term, with its log committed and
 * applied and its outbox empty.
 */
async function finals(cluster: Cluster, strict: true): Promise<PeerFinal[] | null>;
async function finals(cluster: Cluster): Promise<PeerFinal[]>;
async function finals(cluster: Cluster, strict = false): Promise<PeerFinal[] | null> {
  const out: PeerFinal[] = [];
  let leader: string | null | undefined;
  for (const s of cluster.slots) {
    const ready = s.peer.ready;
    if (ready === null || !s.peer.running) {
      if (strict) return null;
      continue;
    }
    const [status, notes, log] = await Promise.all([
      callPeer(ready, 'GET', '/api/status', undefined, 3_000),
      callPeer(ready, 'GET', '/api/notes', undefined, 3_000),
      callPeer(ready, 'GET', '/api/log?limit=1000', undefined, 3_000),
    ]);
    if (!('body' in status) || !('body' in notes) || !('body' in log) || status.status !== 200 || notes.status !== 200 || log.status !== 200) {
      if (strict) return null;
      continue;
    }
    const st = status.body;
    if (strict) {
      const voter = st.members.some((m: { id: string; voter: boolean }) => m.id === st.id && m.voter);
      if (st.leaderId === null || (leader !== undefined && st.leaderId !== leader) || !voter) return null;
      if (st.commitIndex !== st.lastIndex || st.appliedIndex !== st.commitIndex || notes.body.pending.length > 0) return null;
      leader = st.leaderId;
    }
    out.push({
      peer: s.name,
      peerId: st.id,
      commitIndex: st.commitIndex,
      lastIndex: st.lastIndex,
      notes: notes.body.notes.map((n: { seq: number; version: number; text: string }) => [n.seq, n.version, n.text]),
      pending: notes.body.pending.map((p: { op: string; text: string }) => [p.op, p.text]),
      log: log.body.entries.map((e: { index: number; term: number; kind: string; summary: string }) => [e.index, e.term, e.kind, e.summary]),
    });
  }
  return out;
}

/** hold waits `ms`, or less when `signal` aborts. */
function hold(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

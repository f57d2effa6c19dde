// DemoLab holds what the dashboard sets for every peer of the demo at once and
// sends it to each running peer's POST /api/lab (the peers run with --lab):
// the Raft clock (tick length, pause, single steps), the safeguards (PreVote
// and CheckQuorum: off plays classic Raft), the partition into groups (each
// peer cut off from the peers of the other groups), and a provoked split vote
// (the named peers' timers set to fire on the same tick). A peer that starts
// again is given the current settings before the dashboard sees it running.
import * as v from 'valibot';
import { HttpError } from '../core/api/http/http-error.ts';
import type { DemoCluster } from './cluster.ts';
import type { DemoNode } from './node.ts';
import type { DemoLabSettings } from './view.ts';

/** ELECTION_TICKS is the peers' election timeout base (RaftNode's default): a follower that heard a leader fewer ticks ago refuses votes (its lease). */
const ELECTION_TICKS = 15;
/** SPLIT_VOTE_TICKS is how far the other peers' timers are pushed back during a split vote, so that only the named ones campaign. */
const SPLIT_VOTE_TICKS = ELECTION_TICKS + 30;

const flag = (name: string) => v.optional(v.boolean(`${name} must be true or false.`));

/** clockChange is POST /api/demo/clock's body. */
export const clockChange = v.object({
  tickMs: v.optional(v.pipe(v.number('tickMs must be a number.'), v.safeInteger('tickMs must be whole milliseconds.'),
    v.minValue(1, 'tickMs must be 1 to 1000 ms.'), v.maxValue(1000, 'tickMs must be 1 to 1000 ms.'))),
  paused: flag('paused'),
  step: v.optional(v.pipe(v.number('step must be a number of ticks.'), v.safeInteger('step must be whole ticks.'),
    v.minValue(1, 'step must be 1 to 100 ticks.'), v.maxValue(100, 'step must be 1 to 100 ticks.'))),
}, 'Send {"tickMs":100}, {"paused":true} or {"step":1}.');

/** safeguardsChange is POST /api/demo/safeguards's body. */
export const safeguardsChange = v.object({ preVote: flag('preVote'), checkQuorum: flag('checkQuorum') },
  'Send {"preVote":false,"checkQuorum":false} for classic Raft.');

const names = (what: string) => v.array(v.pipe(v.string(`${what} lists node names.`), v.regex(/^[A-Z]$/, `${what} lists node names, A to I.`)),
  `${what} must be a list of node names, e.g. ["A","B"].`);

/** partitionChange is POST /api/demo/partition's body: the groups, [] to heal. */
export const partitionChange = v.object({
  groups: v.pipe(v.array(names('a group'), 'groups must be a list of groups of node names, e.g. [["A","B"],["C","D","E"]], or [] to heal.'),
    v.maxLength(9, 'at most 9 groups.')),
}, 'Send {"groups":[["A","B"],["C","D","E"]]}, or {"groups":[]} to heal.');

/** splitVoteChange is POST /api/demo/split-vote's body. */
export const splitVoteChange = v.object({ names: v.pipe(names('names'), v.minLength(2, 'name at least two nodes to campaign together.')) },
  'Send {"names":["B","C"]}: their timers fire on the same tick.');

/** checked returns `raw` checked by `schema`, or throws a 400 that says what to send. */
export function checked<S extends v.GenericSchema>(schema: S, raw: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, raw ?? {}, { abortEarly: true });
  if (!result.success) throw new HttpError(400, 'invalid-control', result.issues[0].message);
  return result.output;
}

/** DemoLab is the demo's hold on its peers' Raft. */
export class DemoLab {
  private readonly cluster: DemoCluster;
  private value: DemoLabSettings;

  constructor(cluster: DemoCluster, tickMs: number) {
    this.cluster = cluster;
    this.value = { tickMs, paused: false, preVote: true, checkQuorum: true, groups: [] };
  }

  get settings(): DemoLabSettings {
    return this.value;
  }

  /** clock changes every running peer's Raft clock; a step is made on all of them at once. */
  async clock(change: v.InferOutput<typeof clockChange>): Promise<DemoLabSettings> {
    if (change.step !== undefined && !(change.paused ?? this.value.paused)) {
      throw new HttpError(409, 'invalid-control', 'Pause the clocks first: a step is one tick made by hand.');
    }
    this.value = { ...this.value, ...(change.tickMs !== undefined ? { tickMs: change.tickMs } : {}), ...(change.paused !== undefined ? { paused: change.paused } : {}) };
    await this.toAll(() => change);
    return this.value;
  }

  /** safeguards turns PreVote and CheckQuorum on or off on every peer. */
  async safeguards(change: v.InferOutput<typeof safeguardsChange>): Promise<DemoLabSettings> {
    this.value = { ...this.value, ...stripUndefined(change) };
    await this.toAll(() => change);
    return this.value;
  }

  /** partition cuts every group off from the others ([] heals); nodes named in no group form one group together. */
  async partition(groups: string[][]): Promise<DemoLabSettings> {
    const all = this.cluster.nodes.map((n) => n.name);
    const seen = new Set<string>();
    for (const name of groups.flat()) {
      if (!all.includes(name)) throw new HttpError(404, 'no-such-peer', `There is no node ${name}; the nodes are ${all.join(', ')}.`);
      if (seen.has(name)) throw new HttpError(400, 'invalid-control', `${name} is in two groups; a node is in one group.`);
      seen.add(name);
    }
    const rest = all.filter((n) => !seen.has(n));
    const full = groups.filter((g) => g.length > 0);
    if (full.length > 0 && rest.length > 0) full.push(rest);
    this.value = { ...this.value, groups: full.length > 1 ? full : [] };
    await this.toAll((node) => ({ cut: this.cutOf(node) }));
    return this.value;
  }

  /**
   * splitVote makes the named nodes campaign on the same tick, with no leader
   * running (the seeds play it with four nodes, the leader stopped): the
   * clocks are paused, their timers set to fire in ELECTION_TICKS + 1 ticks and
   * the others' pushed back, that many ticks are made on every peer at once
   * (so that every follower's lease on the old leader has run out and it
   * votes), and the clocks run again (unless they were paused). PreVote, when
   * on, is off for those ticks: with it, whichever finished its pre-vote first
   * would ask for real votes alone, and the other would vote for it.
   */
  async splitVote(chosen: string[]): Promise<DemoLabSettings> {
    for (const name of chosen) {
      const node = this.cluster.node(name);
      if (node === undefined || node.state !== 'running') throw new HttpError(409, 'peer-stopped', `Node ${name} is not running; pick running nodes.`);
    }
    const wasPaused = this.value.paused;
    await this.toAll(() => ({ paused: true }));
    await this.toAll((node) => ({ fireElectionIn: chosen.includes(node.name) ? ELECTION_TICKS + 1 : SPLIT_VOTE_TICKS }));
    if (this.value.preVote) await this.toAll(() => ({ preVote: false }));
    await this.toAll(() => ({ step: ELECTION_TICKS + 1 }));
    if (this.value.preVote) await this.toAll(() => ({ preVote: true }));
    if (!wasPaused) await this.toAll(() => ({ paused: false }));
    return this.value;
  }

  /** applyTo gives a peer that just started the current settings. */
  async applyTo(node: DemoNode): Promise<void> {
    const { tickMs, paused, preVote, checkQuorum } = this.value;
    await callLab(node, { tickMs, paused, preVote, checkQuorum, cut: this.cutOf(node) });
  }

  /** cutOf is the peer ids `node` is cut off from: the nodes of the other groups that have an id. */
  private cutOf(node: DemoNode): string[] {
    const group = this.value.groups.find((g) => g.includes(node.name));
    if (group === undefined) return [];
    return this.cluster.nodes.filter((n) => !group.includes(n.name) && n.peerId !== null).map((n) => n.peerId!);
  }

  /** toAll sends each running peer its change, all at once; a peer that fails is reported by name. */
  private async toAll(change: (node: DemoNode) => object): Promise<void> {
    const running = this.cluster.nodes.filter((n) => n.state === 'running' && n.api !== null);
    const results = await Promise.allSettled(running.map((n) => callLab(n, change(n))));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${running[i]!.name}: ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new HttpError(502, 'peer-unreachable', `Some nodes did not take the change (${failed.join('; ')}); try again.`);
  }
}

/** callLab sends one change to a peer's POST /api/lab. */
async function callLab(node: DemoNode, change: object): Promise<void> {
  if (node.api === null) throw new Error('not running');
  const res = await fetch(`${node.api.url}/api/lab`, {
    method: 'POST',
    headers: { authorization: `Bearer ${node.api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(change),
    signal: AbortSignal.timeout(15_000), // a loaded machine can hold a peer's event loop for seconds
  });
  if (!res.ok) {
    const body = await res.json().catch(() => null) as { message?: string } | null;
    throw new Error(body?.message ?? `answered ${res.status}`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, x]) => x !== undefined)) as Partial<T>;
}

// Faults of a history run, drawn from a seeded generator and overlapping: a
// new one starts every 1–3 s while fewer than `maxActive` are under way. The
// kinds are dealt from a shuffled deck (reshuffled when used up), so every
// kind comes within the first rounds; a kind that cannot start now (its
// targets are busy, another partition is on) goes back to the deck.
//
// - kill: SIGKILL the leader or a follower; restart it on its data directory 0.5–3 s later.
// - pause: SIGSTOP the leader or a follower for 1–3 s, then SIGCONT.
// - isolate: POST /api/network {isolated: true} for 2–6 s.
// - partition: {A, B} | {C, D, E} (any shape with a minority and a majority), the leader on either side, 3–8 s.
// - bridge: two sides that do not reach each other and one peer that reaches both, 3–8 s.
// - netem: loss of 5–25 % and 10–80 ms of delay on one or more peers' links, 3–8 s
//   (where the kernel has no sch_netem: 16–160 kbit/s over a 2–10 packet queue).
// - transfer: POST /api/leadership from the leader to another voter.
// - membership: remove a live voter (DELETE /api/members/:id) and replace it by a
//   fresh peer that joins with the invite code as a learner (promoted by the
//   peers' own membership keeper); or kill a voter first and replace the dead one.
//
// Each fault is recorded once it has ended, with what it did in words.
import type { Rng } from '../../../core/testing/rng.ts';
import type { FaultKind } from '../checker/history.ts';
import type { Cluster, Slot } from './cluster.ts';
import type { HostNetwork } from './network.ts';
import { callPeer } from './peer-api.ts';
import type { Recorder } from './recorder.ts';

/** NETWORK_FAULTS need network namespaces. */
export const NETWORK_FAULTS: readonly FaultKind[] = ['partition', 'bridge', 'netem'];

/** FaultsInit says which faults to inject where. */
export interface FaultsInit {
  cluster: Cluster;
  network: HostNetwork;
  recorder: Recorder;
  rng: Rng;
  kinds: readonly FaultKind[];
  maxActive: number;
  /** Aborted at the end of the run: no new fault starts, and the ones under way end their hold at once. */
  signal: AbortSignal;
  /** Told of each fault as it ends. */
  log?: (line: string) => void;
}

/** Faults injects faults until its signal aborts, then waits for the ones under way to heal. */
export class Faults {
  readonly counts = new Map<FaultKind, number>();
  private readonly init: FaultsInit;
  private readonly rng: Rng;
  private readonly active = new Set<Promise<void>>();
  private deck: FaultKind[] = [];
  /** A partition or bridge is on (one shape at a time). */
  private shaped = false;
  /** A netem is on. */
  private lossy = false;

  constructor(init: FaultsInit) {
    this.init = init;
    this.rng = init.rng.fork('faults');
  }

  /** run starts faults until the signal aborts, and returns once every fault under way has healed. */
  async run(): Promise<void> {
    const { signal, maxActive } = this.init;
    await hold(this.rng.int(1_000, 2_000), signal);
    while (!signal.aborted) {
      if (this.active.size < maxActive) {
        const kind = this.draw();
        if (kind !== null) {
          const run = this.inject(kind).finally(() => this.active.delete(run));
          this.active.add(run);
        }
      }
      await hold(this.rng.int(1_000, 3_000), signal);
    }
    await Promise.all([...this.active]);
  }

  /** draw deals the next kind that can start now, or null. */
  private draw(): FaultKind | null {
    if (this.deck.length === 0) this.deck = this.rng.shuffle([...this.init.kinds]);
    for (let i = 0; i < this.deck.length; i++) {
      if (this.possible(this.deck[i]!)) return this.deck.splice(i, 1)[0]!;
    }
    return null;
  }

  private possible(kind: FaultKind): boolean {
    const free = this.freeSlots();
    switch (kind) {
      case 'kill':
      case 'pause':
      case 'isolate':
        return free.length > 0;
      case 'partition':
      case 'bridge':
        return this.init.network.shapes && !this.shaped;
      case 'netem':
        return this.init.network.shapes && !this.lossy;
      case 'transfer':
        return true;
      case 'membership':
        return free.length === this.init.cluster.slots.length;
    }
  }

  private freeSlots(): Slot[] {
    return this.init.cluster.slots.filter((s) => !s.busy && s.peer.running && !s.paused);
  }

  /** inject runs one fault from start to heal and records it; a fault that throws is recorded with its error. */
  private async inject(kind: FaultKind): Promise<void> {
    const { recorder } = this.init;
    const start = recorder.now();
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    let detail: string;
    try {
      detail = await this[kind]();
    } catch (error) {
      detail = `failed: ${(error as Error).message.split('\n')[0]}`;
    }
    const end = recorder.now();
    recorder.record({ type: 'fault', kind, start, end, detail });
    this.init.log?.(`${kind} ${Math.round(start)}–${Math.round(end)} ms: ${detail}`);
  }

  /** target takes a free slot: the leader when `leader` is drawn and it is free, else any free one. */
  private async target(): Promise<[Slot, string]> {
    const leader = this.rng.chance(0.5) ? await this.init.cluster.leader() : null;
    const free = this.freeSlots();
    const slot = leader !== null && free.includes(leader) ? leader : this.rng.pick(free);
    slot.busy = true;
    return [slot, slot === leader ? `${slot.name} (leader)` : slot.name];
  }

  private async kill(): Promise<string> {
    const { cluster, signal } = this.init;
    const [slot, who] = await this.target();
    try {
      await cluster.kill(slot);
      await hold(this.rng.int(500, 3_000), signal);
      await cluster.restart(slot);
      return `killed ${who}, restarted it on its data`;
    } finally {
      slot.busy = false;
    }
  }

  private async pause(): Promise<string> {
    const { cluster, signal } = this.init;
    const [slot, who] = await this.target();
    const ms = this.rng.int(1_000, 3_000);
    try {
      cluster.pause(slot);
      await hold(ms, signal);
      return `paused ${who} for ${ms} ms`;
    } finally {
      cluster.resume(slot);
      slot.busy = false;
    }
  }

  private async isolate(): Promise<string> {
    const { signal } = this.init;
    const [slot, who] = await this.target();
    try {
      const cut = await callPeer(slot.peer.ready!, 'POST', '/api/network', { isolated: true });
      slot.isolated = true;
      await hold(this.rng.int(2_000, 6_000), signal);
      const back = await this.reconnect(slot);
      return `isolated ${who} (${'status' in cut ? cut.status : cut.error}), reconnected (${back})`;
    } finally {
      slot.busy = false;
    }
  }

  /** reconnect undoes an isolation, trying again while the peer does not answer. */
  async reconnect(slot: Slot): Promise<string> {
    let last = '';
    for (let attempt = 0; attempt < 10 && slot.peer.running; attempt++) {
      const a = await callPeer(slot.peer.ready!, 'POST', '/api/network', { isolated: false });
      if ('status' in a && a.status === 200) {
        slot.isolated = false;
        return '200';
      }
      last = 'status' in a ? String(a.status) : a.error;
      await hold(500, null);
    }
    return last;
  }

  private async partition(): Promise<string> {
    const { cluster, network, signal } = this.init;
    this.shaped = true;
    try {
      const n = cluster.slots.length;
      const leader = await cluster.leader();
      const leaderInMinority = this.rng.chance(0.5);
      const others = this.rng.shuffle(cluster.slots.filter((s) => s !== leader));
      const minoritySize = Math.floor(n / 2);
      const minority: Slot[] = [];
      const majority: Slot[] = [];
      if (leader !== null) (leaderInMinority ? minority : majority).push(leader);
      for (const s of others) (minority.length < minoritySize ? minority : majority).push(s);
      const pairs = minority.flatMap((a) => majority.map((b) => [a.index, b.index] as const));
      for (const [i, j] of pairs) await network.cut(i, j);
      await hold(this.rng.int(3_000, 8_000), signal);
      for (const [i, j] of pairs) await network.uncut(i, j);
      const names = (side: Slot[]) => side.map((s) => s === leader ? `${s.name}*` : s.name).join('');
      return `partition ${names(minority)} | ${names(majority)} (* leader)`;
    } finally {
      this.shaped = false;
    }
  }

  private async bridge(): Promise<string> {
    const { cluster, network, signal } = this.init;
    this.shaped = true;
    try {
      const [bridge, ...rest] = this.rng.shuffle([...cluster.slots]);
      const half = Math.floor(rest.length / 2);
      const left = rest.slice(0, half);
      const right = rest.slice(half);
      const pairs = left.flatMap((a) => right.map((b) => [a.index, b.index] as const));
      for (const [i, j] of pairs) await network.cut(i, j);
      await hold(this.rng.int(3_000, 8_000), signal);
      for (const [i, j] of pairs) await network.uncut(i, j);
      return `bridge: ${left.map((s) => s.name).join('')} | ${right.map((s) => s.name).join('')}, ${bridge!.name} reaches both`;
    } finally {
      this.shaped = false;
    }
  }

  private async netem(): Promise<string> {
    const { cluster, network, signal } = this.init;
    this.lossy = true;
    try {
      const hit = this.rng.shuffle([...cluster.slots]).slice(0, this.rng.int(1, cluster.slots.length + 1));
      const delayMs = this.rng.int(10, 81);
      const link = { lossPercent: this.rng.int(5, 26), delayMs, jitterMs: Math.floor(delayMs / 2), rateKbit: this.rng.int(16, 161), queuePackets: this.rng.int(2, 11) };
      let how = '';
      const counters: string[] = [];
      try {
        for (const s of hit) how = await network.netem(s.index, link);
        await hold(this.rng.int(3_000, 8_000), signal);
      } finally {
        for (const s of hit) counters.push(`${s.name} ${await network.clearNetem(s.index)}`);
      }
      return `on ${hit.map((s) => s.name).join('')}: ${how}; ${counters.join('; ')}`;
    } finally {
      this.lossy = false;
    }
  }

  private async transfer(): Promise<string> {
    const leader = await this.init.cluster.leader();
    if (leader === null) return 'no leader to transfer from';
    const status = await this.init.cluster.statusOf(leader);
    if (!('body' in status)) return `${leader.name} did not answer`;
    const voters = (status.body.members as Array<{ id: string; voter: boolean }>).filter((m) => m.voter && m.id !== leader.peer.ready!.peerId);
    if (voters.length === 0) return 'no other voter';
    const to = this.rng.pick(voters).id;
    const target = this.init.cluster.slots.find((s) => s.peer.ready?.peerId === to);
    const a = await callPeer(leader.peer.ready!, 'POST', '/api/leadership', { to });
    return `${leader.name} → ${target?.name ?? to}: ${'status' in a ? `${a.status}${a.status !== 200 ? ` ${a.body?.error}` : ''}` : a.error}`;
  }

  private async membership(): Promise<string> {
    const { cluster } = this.init;
    for (const s of cluster.slots) s.busy = true;
    try {
      const dead = this.rng.chance(0.5);
      const leader = await cluster.leader();
      if (leader === null) return 'no leader';
      const candidates = dead ? cluster.slots : cluster.slots.filter((s) => s !== leader);
      const victim = this.rng.pick(candidates);
      const id = victim.peer.ready!.peerId;
      // The invite names its inviter's addresses: not the victim's, which its replacement takes over.
      const invite = await cluster.invite(victim);
      if (dead) await cluster.kill(victim);
      const removal = await this.remove(id, victim);
      if (removal !== 'removed') {
        if (dead) await cluster.restart(victim);
        return `${dead ? 'killed, then ' : ''}removing ${victim.name}${victim === leader ? ' (leader)' : ''} failed (${removal})${dead ? '; restarted it on its data' : ''}`;
      }
      await cluster.replace(victim, invite);
      const promoted = await this.promoted(victim);
      return `${dead ? 'killed, then removed' : 'removed'} ${victim.name}${victim === leader ? ' (leader)' : ''}; a fresh peer joined there${promoted ? ' and was promoted to voter' : ', not yet a voter'}`;
    } finally {
      for (const s of cluster.slots) s.busy = false;
    }
  }

  /** remove asks the leader of the moment to remove member `id`, again while another change is under way, until it is out of the membership, 15 s passed or the run ends. */
  private async remove(id: string, victim: Slot): Promise<string> {
    const { cluster } = this.init;
    const deadline = Date.now() + 15_000;
    let last = 'no leader';
    while (Date.now() < deadline && !this.init.signal.aborted) {
      const leader = await cluster.leader();
      if (leader !== null && leader !== victim) {
        const status = await cluster.statusOf(leader);
        if ('body' in status && status.status === 200 && !status.body.members.some((m: { id: string }) => m.id === id)) return 'removed';
        const a = await callPeer(leader.peer.ready!, 'DELETE', `/api/members/${id}`, undefined, 4_000);
        if ('status' in a && a.status === 200) return 'removed';
        last = 'status' in a ? `${a.status} ${a.body?.error}` : a.error;
      }
      await hold(500, null);
    }
    return last;
  }

  /** promoted waits up to 30 s (less when the run ends) for the slot's fresh peer to be a voter in the leader's view. */
  private async promoted(slot: Slot): Promise<boolean> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !this.init.signal.aborted) {
      const leader = await this.init.cluster.leader();
      if (leader !== null) {
        const s = await this.init.cluster.statusOf(leader);
        if ('body' in s && s.body.members?.some((m: { id: string; voter: boolean }) => m.id === slot.peer.ready?.peerId && m.voter)) return true;
      }
      await hold(300, null);
    }
    return false;
  }
}

/** hold waits `ms`, or less when `signal` aborts. */
function hold(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

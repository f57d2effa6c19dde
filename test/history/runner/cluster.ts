// The peers of a history run: one slot per host, each running one
// `raftnotes serve` process at a time (test/cluster/peer-process.ts). A slot's
// peer can be killed and restarted on its data directory, paused and resumed,
// or replaced by a fresh peer that joins with an invite code. Every process
// gets a number; its exit is recorded (expected when the runner ended it), and
// its status stream (GET /api/events) is recorded while it runs, for the
// leader-per-term and monotonicity verdicts.
import { openEventStream } from '../../../client/event-stream.ts';
import { PeerProcess, tempDir, waitFor } from '../../cluster/peer-process.ts';
import type { HostNetwork } from './network.ts';
import { callPeer, type Answer } from './peer-api.ts';
import type { Recorder } from './recorder.ts';

/** Slot is one host of the run and the peer it runs now. */
export interface Slot {
  readonly index: number;
  /** A, B, C, … */
  readonly name: string;
  peer: PeerProcess;
  /** The number of the process running now. */
  process: number;
  /** Stopped with SIGSTOP. */
  paused: boolean;
  /** Cut off through POST /api/network. */
  isolated: boolean;
  /** A fault acts on this slot: no other fault takes it. */
  busy: boolean;
}

/** ClusterInit says how the peers run. */
export interface ClusterInit {
  network: HostNetwork;
  recorder: Recorder;
  snapshotEvery: number;
}

/** Cluster is the slots of a run. */
export class Cluster {
  readonly slots: Slot[] = [];
  /** Every peer process object ever started (its stderr lines, for a failing run's logs). */
  readonly peers: Array<{ slot: string; peer: PeerProcess }> = [];
  private readonly init: ClusterInit;
  private processes = 0;
  private readonly expectedExits = new Set<number>();
  private readonly streams = new Map<number, () => void>();

  constructor(init: ClusterInit) {
    this.init = init;
  }

  /** form starts A with a new notebook and the others with its invite, and waits until all are voters of one committed configuration. */
  async form(count: number): Promise<void> {
    const first = await this.newPeer(0);
    const a: Slot = { index: 0, name: 'A', peer: first, process: 0, paused: false, isolated: false, busy: false };
    this.slots.push(a);
    await this.launch(a, ['--create', 'History']);
    const invite = await this.invite();
    for (let i = 1; i < count; i++) {
      const name = String.fromCharCode(65 + i);
      this.slots.push({ index: i, name, peer: await this.newPeer(i), process: 0, paused: false, isolated: false, busy: false });
    }
    await Promise.all(this.slots.slice(1).map((s) => this.launch(s, ['--invite', invite])));
    await waitFor(`${count} voters, committed`, async () => {
      const s = await this.statusOf(a);
      return 'body' in s && s.body.members?.filter((m: { voter: boolean }) => m.voter).length === count && s.body.commitIndex >= s.body.lastIndex;
    }, 60_000);
  }

  /** invite asks a running peer (not `except`) for the notebook's invite code. */
  async invite(except: Slot | null = null): Promise<string> {
    return waitFor('an invite code', async () => {
      for (const s of this.slots) {
        if (!s.peer.running || s.paused || s === except) continue;
        const res = await callPeer(s.peer.ready!, 'GET', '/api/invite', undefined, 2_000);
        if ('status' in res && res.status === 200) return res.body.invite as string;
      }
      return undefined;
    }, 30_000);
  }

  /** statusOf is GET /api/status of the slot's peer (an error when it is down or does not answer in 2 s). */
  async statusOf(slot: Slot): Promise<Answer> {
    if (!slot.peer.running || slot.peer.ready === null) return { error: 'not running' };
    return callPeer(slot.peer.ready, 'GET', '/api/status', undefined, 2_000);
  }

  /** leader is the slot whose peer says it leads in the highest term, or null. */
  async leader(): Promise<Slot | null> {
    const answers = await Promise.all(this.slots.map(async (s) => [s, s.paused ? { error: 'paused' } : await this.statusOf(s)] as const));
    let best: [Slot, number] | null = null;
    for (const [s, a] of answers) {
      if ('body' in a && a.status === 200 && a.body.role === 'leader' && (best === null || a.body.term > best[1])) best = [s, a.body.term];
    }
    return best?.[0] ?? null;
  }

  /** kill ends the slot's process with SIGKILL. */
  async kill(slot: Slot): Promise<void> {
    this.expectedExits.add(slot.process);
    await slot.peer.kill();
    slot.paused = false;
    slot.isolated = false;
  }

  /** restart starts the slot's peer again on its data directory. */
  async restart(slot: Slot): Promise<void> {
    await this.launch(slot, []);
  }

  /** pause stops the slot's process with SIGSTOP; resume continues it. */
  pause(slot: Slot): void {
    const pid = slot.peer.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGSTOP');
    slot.paused = true;
  }

  resume(slot: Slot): void {
    const pid = slot.peer.pid;
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
    slot.paused = false;
  }

  /** replace kills the slot's peer, throws its data directory away, and starts a fresh peer there that joins with `invite`. */
  async replace(slot: Slot, invite: string): Promise<void> {
    await this.kill(slot);
    this.init.recorder.record({ type: 'discard', peer: slot.name, peerId: slot.peer.ready!.peerId, at: this.init.recorder.now() });
    slot.peer = await this.newPeer(slot.index);
    await this.launch(slot, ['--invite', invite]);
  }

  /** stopAll resumes paused peers and stops every one gently. */
  async stopAll(): Promise<void> {
    for (const s of this.slots) if (s.paused) this.resume(s);
    for (const s of this.slots) this.expectedExits.add(s.process);
    await Promise.all(this.slots.map((s) => s.peer.stop()));
    for (const close of this.streams.values()) close();
    this.streams.clear();
  }

  private async newPeer(index: number): Promise<PeerProcess> {
    const peer = new PeerProcess(await tempDir(this.init.network.dirPrefix), String.fromCharCode(65 + index));
    this.peers.push({ slot: peer.name, peer });
    return peer;
  }

  /** launch starts the slot's peer with `args`, and records its exit and its status stream. */
  private async launch(slot: Slot, args: string[]): Promise<void> {
    const { network, recorder, snapshotEvery } = this.init;
    const number = ++this.processes;
    slot.process = number;
    slot.paused = false;
    slot.isolated = false;
    const peer = slot.peer;
    const ready = await peer.start([...args, ...network.serveArgs(slot.index), '--snapshot-every', String(snapshotEvery)], {}, network.exec(slot.index));
    void peer.ended.then(({ code, signal }) => {
      this.streams.get(number)?.();
      this.streams.delete(number);
      recorder.record({ type: 'exit', peer: slot.name, peerId: ready.peerId, process: number, at: recorder.now(), code, signal, expected: this.expectedExits.has(number) });
    });
    let last = '';
    this.streams.set(number, openEventStream({
      url: `${ready.api}/api/events`,
      headers: { authorization: `Bearer ${ready.token}` },
      minBackoffMs: 100,
      maxBackoffMs: 500,
      onState: () => {},
      onEvent: ({ event, data }) => {
        if (event !== 'status') return;
        const s = JSON.parse(data) as { role: string; term: number; leaderId: string | null; commitIndex: number };
        const key = `${s.role} ${s.term} ${s.leaderId} ${s.commitIndex}`;
        if (key === last) return;
        last = key;
        recorder.record({ type: 'status', peer: slot.name, peerId: ready.peerId, process: number, at: recorder.now(), role: s.role, term: s.term, leaderId: s.leaderId, commitIndex: s.commitIndex });
      },
    }));
  }
}

// Three running notebooks in one process, over MemoryStorage and MemoryPeer
// (the in-memory raft transport, join and status protocols): elections,
// notes, isolation, restart, joining, all without sockets or child processes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNotebook, MemoryLan, type MemoryPeer, type Notebook } from '../net/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import type { Clock } from './clock.ts';
import { Outbox } from './outbox.ts';
import { RunningNotebook, type NotebookInit } from './running-notebook.ts';

/** TestPeer is one notebook of the test cluster, with what it needs to start again. */
interface TestPeer {
  id: string;
  origin: NotebookInit['origin'];
  storage: MemoryStorage;
  dir: string;
  notebook: RunningNotebook | null;
  /** The peer's network, its join requests and discoverability spied on. */
  network: MemoryPeer | null;
  /** The lines of its story, from its first start on. */
  log: string[];
}

/** A clock two hours ahead of the machine's: notes must be stamped with the clock the notebook was given. */
const clock: Clock = { now: () => Date.now() + 2 * 3_600_000 };

class TestCluster {
  readonly lan = new MemoryLan();
  readonly peers: TestPeer[] = [];
  private readonly notebook: Notebook = createNotebook('In-process notes');
  private readonly dirs: string[] = [];

  /** add makes a peer: the first creates the notebook, the others join it. */
  async add(id: string): Promise<TestPeer> {
    const dir = await mkdtemp(join(tmpdir(), `raftnotes-nb-${id}-`));
    this.dirs.push(dir);
    const peer: TestPeer = { id, origin: this.peers.length === 0 ? 'created' : 'joined', storage: new MemoryStorage(), dir, notebook: null, network: null, log: [] };
    this.peers.push(peer);
    await this.start(peer);
    return peer;
  }

  /** start opens the peer's notebook on its storage and outbox; `isolated` starts it cut off from every other peer. */
  async start(peer: TestPeer, { isolated = false } = {}): Promise<RunningNotebook> {
    const network = this.lan.createPeer({ id: peer.id, notebook: this.notebook, name: peer.id, discoverable: false });
    if (isolated) await network.setIsolated(true);
    vi.spyOn(network, 'requestJoin');
    vi.spyOn(network, 'setDiscoverable');
    peer.network = network;
    const notebook = await RunningNotebook.open({
      notebook: this.notebook, name: peer.id, origin: peer.origin, joinTargets: [], maxVoters: 5,
      snapshotEvery: 10_000, tickMs: 10, commitWaitMs: 2_000,
    }, { storage: peer.storage, outbox: await Outbox.open(peer.dir), network, clock });
    notebook.addEventListener('log', (evt) => peer.log.push(evt.detail.text));
    await notebook.start();
    peer.notebook = notebook;
    return notebook;
  }

  /** restart stops the peer gently and starts it again on what its storage persisted. */
  async restart(peer: TestPeer, options: { isolated?: boolean } = {}): Promise<RunningNotebook> {
    await peer.notebook!.stop();
    peer.storage = peer.storage.restart();
    return this.start(peer, options);
  }

  running(): RunningNotebook[] {
    return this.peers.flatMap((p) => (p.notebook === null ? [] : [p.notebook]));
  }

  /** leader waits until every running peer names one leader with `voters` voters, and returns it. */
  async leader(voters: number): Promise<RunningNotebook> {
    let found: RunningNotebook | null = null;
    await vi.waitFor(() => {
      const all = this.running().map((n) => n.status());
      const leaders = new Set(all.map((s) => s.leaderId));
      expect(leaders.size).toBe(1);
      expect(all.every((s) => s.members.filter((m) => m.voter).length === voters)).toBe(true);
      found = this.running().find((n) => n.id === all[0]!.leaderId) ?? null;
      expect(found).not.toBeNull();
    }, { timeout: 10_000, interval: 20 });
    return found!;
  }

  async stop(): Promise<void> {
    await Promise.all(this.running().map((n) => n.stop()));
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

let cluster: TestCluster | null = null;

async function threePeers(): Promise<TestCluster> {
  cluster = new TestCluster();
  for (const id of ['A', 'B', 'C']) await cluster.add(id);
  return cluster;
}

function texts(nb: RunningNotebook): string[] {
  return nb.notes().notes.map((n) => n.text);
}

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

describe('RunningNotebook', () => {
  it('forms a notebook of three voters from one creator and two invited peers, and replicates a note written on a follower', async () => {
    const c = await threePeers();
    const leader = await c.leader(3);
    const follower = c.running().find((n) => n !== leader)!;
    const result = await follower.addNote('written on a follower');
    expect(result.committed).toBe(true);
    if (result.committed) expect(Math.abs(result.note.createdAt - clock.now())).toBeLessThan(60_000);
    await vi.waitFor(() => { for (const nb of c.running()) expect(texts(nb)).toEqual(['written on a follower']); });
    // Each peer's story starts with its start: the creator led at once, the others followed it.
    expect(c.peers.map((p) => p.log.find((l) => / in term \d+/.test(l))?.replace(/, leader \S+$/, ''))).toEqual(
      ['leader in term 1', 'follower in term 1', 'follower in term 1']);
  });

  it('keeps a write made while cut off as pending, and commits it exactly once after reconnecting', async () => {
    const c = await threePeers();
    const leader = await c.leader(3);
    const follower = c.running().find((n) => n !== leader)!;
    await follower.setIsolated(true);
    expect(follower.status().isolated).toBe(true);
    const result = await follower.addNote('written offline');
    expect(result.committed).toBe(false);
    expect(follower.notes().pending.map((p) => p.text)).toEqual(['written offline']);
    expect(texts(leader)).toEqual([]);
    await follower.setIsolated(false);
    await vi.waitFor(() => { for (const nb of c.running()) expect(texts(nb)).toEqual(['written offline']); }, { timeout: 10_000 });
    await vi.waitFor(() => expect(follower.notes().pending).toEqual([]));
  });

  it('elects a new leader when the leader stops, and the restarted peer catches up on what was written meanwhile', async () => {
    const c = await threePeers();
    const first = await c.leader(3);
    await first.addNote('before');
    const stopped = c.peers.find((p) => p.notebook === first)!;
    await first.stop();
    stopped.notebook = null;
    const second = await c.leader(3);
    expect(second.id).not.toBe(stopped.id);
    expect((await second.addNote('while one was away')).committed).toBe(true);
    stopped.storage = stopped.storage.restart();
    const back = await c.start(stopped);
    await vi.waitFor(() => expect(texts(back)).toEqual(['before', 'while one was away']), { timeout: 10_000 });
    expect(back.status().term).toBeGreaterThanOrEqual(second.status().term);
  });

  it('keeps its notes across a restart on the same storage', async () => {
    const c = await threePeers();
    const leader = await c.leader(3);
    await leader.addNote('kept');
    const peer = c.peers.find((p) => p.notebook !== leader)!;
    await vi.waitFor(() => expect(texts(peer.notebook!)).toEqual(['kept']));
    // Restarted cut off from every other peer: the note can only come from what its storage kept.
    const again = await c.restart(peer, { isolated: true });
    expect(again.status().isolated).toBe(true);
    await vi.waitFor(() => expect(texts(again)).toEqual(['kept']));
  });

  it('asks nobody to join once it is a member, and shows itself to the others only then', async () => {
    cluster = new TestCluster();
    const creator = await cluster.add('A');
    const invited = await cluster.add('B');
    const shown = (p: TestPeer) => vi.mocked(p.network!.setDiscoverable).mock.calls.map(([v]) => v);
    // The creator is a member from the start; the invited peer keeps quiet until the leader's log makes it one.
    expect(shown(creator)[0]).toBe(true);
    expect(shown(invited)[0]).toBe(false);
    await cluster.leader(2);
    expect(shown(invited).at(-1)).toBe(true);
    expect(creator.network!.requestJoin).not.toHaveBeenCalled();
    const asked = vi.mocked(invited.network!.requestJoin).mock.calls.length;
    expect(asked).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // longer than a joiner's pause between two requests
    expect(vi.mocked(invited.network!.requestJoin).mock.calls.length).toBe(asked);
  });
});

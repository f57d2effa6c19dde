// The demo's controls on running notebooks in one process (MemoryPeer,
// MemoryStorage): the trace of Raft messages and timers a lab peer sends, the
// refusal of a peer run without --lab, and the seeds' partition played with
// classic Raft: the minority leader keeps its term and takes a note it cannot
// commit; on heal it steps down, its entry is replaced, and the outbox
// proposes the note again so that it commits once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNotebook, MemoryLan } from '../net/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { Outbox } from './outbox.ts';
import type { TraceBatch } from './raft-trace.ts';
import { RunningNotebook } from './running-notebook.ts';

interface LabPeer {
  name: string;
  notebook: RunningNotebook;
  traces: TraceBatch[];
}

const dirs: string[] = [];
let peers: LabPeer[] = [];

/** cluster starts `names` as one notebook (the first creates it) and waits for one leader of them all. */
async function cluster(names: string[], lab = true): Promise<LabPeer[]> {
  const lan = new MemoryLan();
  const notebook = createNotebook('Lab');
  for (const [i, name] of names.entries()) {
    const dir = await mkdtemp(join(tmpdir(), `raftnotes-lab-${name}-`));
    dirs.push(dir);
    const network = lan.createPeer({ id: name, notebook, name, discoverable: false });
    const nb = await RunningNotebook.open({
      notebook, name, origin: i === 0 ? 'created' : 'joined', joinTargets: i === 0 ? [] : [names[0]!], maxVoters: names.length,
      snapshotEvery: 10_000, tickMs: 10, commitWaitMs: 1_000, lab,
    }, { storage: new MemoryStorage(), outbox: await Outbox.open(dir), network, clock: { now: () => Date.now() } });
    const peer: LabPeer = { name, notebook: nb, traces: [] };
    nb.addEventListener('trace', (evt) => peer.traces.push(evt.detail));
    await nb.start();
    peers.push(peer);
  }
  await vi.waitFor(() => {
    const all = peers.map((p) => p.notebook.status());
    expect(new Set(all.map((s) => s.leaderId)).size).toBe(1);
    expect(all.every((s) => s.leaderId !== null && s.members.filter((m) => m.voter).length === names.length)).toBe(true);
    // Every peer knows its promotion committed (else a follower is not yet a voter it may campaign as).
    expect(all.every((s) => s.commitIndex === all[0]!.lastIndex && s.lastIndex === all[0]!.lastIndex)).toBe(true);
  }, { timeout: 20_000, interval: 20 });
  return peers;
}

function leaderOf(among: LabPeer[]): LabPeer | undefined {
  const leaders = among.filter((p) => p.notebook.status().role === 'leader');
  return leaders.length === 1 ? leaders[0] : undefined;
}

afterEach(async () => {
  await Promise.all(peers.map((p) => p.notebook.stop()));
  peers = [];
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('Lab', () => {
  it('refuses the controls on a peer run without lab, and sends no trace', async () => {
    const [a] = await cluster(['A'], false);
    await expect(a!.notebook.lab({ paused: true })).rejects.toMatchObject({ code: 'lab-off' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a!.traces).toEqual([]);
  });

  it('traces an election: the vote requests, the votes, and the new leader\'s AppendEntries, with the timer', async () => {
    const all = await cluster(['A', 'B', 'C']);
    const leader = leaderOf(all)!;
    const followers = all.filter((p) => p !== leader);
    for (const p of all) p.traces.length = 0;
    // The leader stops: one follower's timer is set to fire on the next tick, so it campaigns first.
    await leader.notebook.lab({ cut: followers.map((p) => p.name) });
    await followers[0]!.notebook.lab({ fireElectionIn: 1 });
    await vi.waitFor(() => expect(leaderOf(followers)).toBeDefined(), { timeout: 10_000 });
    const next = leaderOf(followers)!;
    const term = next.notebook.status().term;
    // A batch goes every 100 ms: the last messages arrive with the next one.
    await vi.waitFor(() => {
      const messages = all.flatMap((p) => p.traces.flatMap((t) => t.messages));
      expect(messages).toContainEqual(expect.objectContaining({ type: 'RequestVote', from: next.name, term, preVote: false }));
      expect(messages).toContainEqual(expect.objectContaining({ type: 'RequestVoteResponse', to: next.name, term, granted: true, preVote: false }));
      expect(messages).toContainEqual(expect.objectContaining({ type: 'AppendEntries', from: next.name, term, entries: [] }));
    }, { timeout: 5_000 });
    const batch = next.traces.at(-1)!;
    expect(batch.timer.kind).toBe('heartbeat');
    expect(batch.lab).toMatchObject({ tickMs: 10, paused: false, preVote: true, checkQuorum: true });
    const follower = followers.find((p) => p !== next)!;
    expect(follower.traces.at(-1)!.timer).toMatchObject({ kind: 'election' });
  });

  it('never goes quiet: an idle lab cluster keeps sending heartbeats, which the dashboard draws', async () => {
    const all = await cluster(['A', 'B', 'C']);
    const leader = leaderOf(all)!;
    // Longer than a quiet heartbeat interval (5 election timeouts of 15 ticks at 10 ms), after which a normal peer goes quiet.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    leader.traces.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A heartbeat every 5 ticks to each of two followers: about 40 a second (a quiet leader would send 2 or 3).
    expect(leader.traces.flatMap((t) => t.messages).filter((m) => m.type === 'AppendEntries').length).toBeGreaterThan(15);
  });

  it('pauses and steps the clock: no election while paused, however long', async () => {
    const all = await cluster(['A', 'B', 'C']);
    const leader = leaderOf(all)!;
    const followers = all.filter((p) => p !== leader);
    for (const p of all) await p.notebook.lab({ paused: true });
    await leader.notebook.lab({ cut: followers.map((p) => p.name) });
    const terms = followers.map((p) => p.notebook.status().term);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // four election timeouts at 10 ms a tick
    expect(followers.map((p) => p.notebook.status().term)).toEqual(terms);
    expect(followers.at(-1)!.traces.at(-1)!.lab.paused).toBe(true);
    expect(followers.flatMap((p) => p.traces.flatMap((t) => t.messages)).filter((m) => m.type === 'RequestVote')).toEqual([]);
    // Two steps, its timer set to fire on the second: it asks for (pre-)votes.
    await followers[0]!.notebook.lab({ fireElectionIn: 2, step: 2 });
    await vi.waitFor(() => expect(followers[0]!.traces.flatMap((t) => t.messages)).toContainEqual(
      expect.objectContaining({ type: 'RequestVote', from: followers[0]!.name, preVote: true })), { timeout: 10_000 });
  });

  it('plays the seeds\' partition with classic Raft: two leaders, the minority\'s note uncommitted, replaced on heal and committed once', async () => {
    const all = await cluster(['A', 'B', 'C', 'D', 'E']);
    for (const p of all) await p.notebook.lab({ preVote: false, checkQuorum: false });
    const old = leaderOf(all)!;
    const minority = [old, all.find((p) => p !== old)!];
    const majority = all.filter((p) => !minority.includes(p));
    for (const p of minority) await p.notebook.lab({ cut: majority.map((q) => q.name) });
    for (const p of majority) await p.notebook.lab({ cut: minority.map((q) => q.name) });
    const oldTerm = old.notebook.status().term;
    const pending = await old.notebook.addNote('set 3');
    expect(pending.committed).toBe(false);
    await vi.waitFor(() => expect(leaderOf(majority)).toBeDefined(), { timeout: 10_000 });
    const next = leaderOf(majority)!;
    expect(next.notebook.status().term).toBeGreaterThan(oldTerm);
    expect(old.notebook.status()).toMatchObject({ role: 'leader', term: oldTerm });
    const uncommitted = old.notebook.status().lastIndex;
    expect(old.notebook.status().commitIndex).toBeLessThan(uncommitted);
    const replaced = old.notebook.logEntries(uncommitted, 1).entries[0]!;
    expect(replaced.summary).toContain('set 3');
    expect((await next.notebook.addNote('set 8')).committed).toBe(true);

    for (const p of all) await p.notebook.lab({ cut: [] });
    await vi.waitFor(() => {
      for (const p of all) expect(p.notebook.notes().notes.map((n) => n.text).sort()).toEqual(['set 3', 'set 8']);
    }, { timeout: 15_000 });
    // The old leader's entry at that index was replaced by the new leader's log.
    const now = old.notebook.logEntries(uncommitted, 1).entries[0]!;
    expect(now.term).toBeGreaterThan(oldTerm);
    expect(old.notebook.notes().pending).toEqual([]);
  });
});

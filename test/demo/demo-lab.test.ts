// The demo's hold on its real peers (`raftnotes demo --nodes 3`, peers run
// with --lab): the trace of Raft messages reaches the dashboard's one stream,
// the clocks pause (no election while the leader is gone) and resume (one
// comes), a partition into groups is a real cut, bad requests get a 400 that
// says what to send, and a peer without --lab refuses the controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { waitFor } from '../cluster/peer-process.ts';
import { DemoProcess, stopAllDemos } from './demo-process.ts';

const demo = new DemoProcess();
/** Every trace message heard on /api/demo/events, with the peer that sent it. */
const heard: Array<{ peer: string; type: string; from: string; to: string; term: number }> = [];
let closeStream: (() => void) | null = null;

beforeAll(async () => {
  await demo.start(['--nodes', '3']);
  const controller = new AbortController();
  closeStream = () => controller.abort();
  const res = await fetch(new URL('/api/demo/events', demo.url), { headers: { authorization: `Bearer ${demo.token}` }, signal: controller.signal });
  const parser = createParser({
    onEvent: ({ event, data }) => {
      if (event !== 'trace') return;
      const { peer, data: batch } = JSON.parse(data) as { peer: string; data: { messages: typeof heard } };
      for (const m of batch.messages) heard.push({ ...m, peer });
    },
  });
  void (async () => {
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted at the end
    }
  })();
}, 120_000);

afterAll(async () => {
  closeStream?.();
  await stopAllDemos();
}, 60_000);

async function status(name: string): Promise<{ role: string; term: number }> {
  return (await demo.peerApi(name, 'GET', '/api/status')).body;
}

describe('Demo lab', () => {
  it('passes every peer\'s Raft messages to the dashboard\'s stream, heartbeats included', async () => {
    const leader = await demo.leader();
    await waitFor('heartbeats from the leader', () => heard.some((m) => m.peer === leader && m.type === 'AppendEntries') || undefined, 10_000);
    await waitFor('answers from the followers', () => heard.some((m) => m.peer !== leader && m.type === 'AppendEntriesResponse') || undefined, 10_000);
  });

  it('pauses the clocks: no term change while the leader is crashed; resumed, a leader comes', async () => {
    const leader = await demo.leader();
    const others = ['A', 'B', 'C'].filter((n) => n !== leader);
    expect((await demo.call('POST', '/api/demo/clock', { paused: true })).body).toMatchObject({ paused: true });
    expect((await demo.call('POST', `/api/demo/peers/${leader}/crash`)).status).toBe(200);
    const terms = await Promise.all(others.map(async (n) => (await status(n)).term));
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // ten election timeouts at 10 ms a tick
    expect(await Promise.all(others.map(async (n) => (await status(n)).term))).toEqual(terms);
    expect((await demo.call('POST', '/api/demo/clock', { paused: false })).body).toMatchObject({ paused: false });
    const next = await demo.leader(others);
    expect(others).toContain(next);
    expect((await demo.call('POST', `/api/demo/peers/${leader}/start`)).status).toBe(200);
  });

  it('cuts the groups of a partition off from each other, and heals', async () => {
    const leader = await demo.leader();
    const alone = ['A', 'B', 'C'].find((n) => n !== leader)!;
    const answer = await demo.call('POST', '/api/demo/partition', { groups: [[alone]] });
    expect(answer.body.groups).toEqual([[alone], ['A', 'B', 'C'].filter((n) => n !== alone)]);
    await waitFor(`${alone} to see nobody`, async () => {
      const s = (await demo.peerApi(alone, 'GET', '/api/status')).body as { members: Array<{ name: string; reachable: boolean }> };
      return s.members.filter((m) => m.name !== alone).every((m) => !m.reachable) || undefined;
    }, 10_000);
    expect((await demo.peerApi(leader, 'POST', '/api/notes', { text: 'majority side' })).status).toBe(201);
    expect((await demo.call('POST', '/api/demo/partition', { groups: [] })).body.groups).toEqual([]);
    await waitFor(`${alone} to get the note`, async () => {
      const notes = (await demo.peerApi(alone, 'GET', '/api/notes')).body as { notes: Array<{ text: string }> };
      return notes.notes.some((n) => n.text === 'majority side') || undefined;
    }, 15_000);
  });

  it('answers a bad control with 400 and what to send', async () => {
    const bad = await demo.call('POST', '/api/demo/clock', { tickMs: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/tickMs must be 1 to 1000 ms/);
    expect((await demo.call('POST', '/api/demo/partition', { groups: [['A'], ['A']] })).status).toBe(400);
    expect((await demo.call('POST', '/api/demo/partition', { groups: [['Z']] })).status).toBe(404);
    expect((await demo.call('POST', '/api/demo/clock', { step: 1 })).status).toBe(409);
    expect((await demo.call('POST', '/api/demo/split-vote', { names: ['A'] })).status).toBe(400);
    expect((await demo.peerApi('A', 'POST', '/api/lab', { fireElectionIn: -1 })).status).toBe(400);
  });
});

// The RaftTransport compliance suite: one set of tests that every transport
// (in-memory, libp2p) must pass. Call it from a test file with a factory.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../../raft/types.ts';
import type { Frame } from '../frame.ts';
import type { RaftTransport, RaftTransportOptions } from '../raft-transport.ts';
import { sleep, waitFor } from './wait.ts';

/** TransportHarness runs a small set of transports, numbered from 0, whose ids survive restarts. */
export interface TransportHarness {
  /** id returns the NodeId of transport `i`. */
  id(i: number): NodeId;
  /** start starts transport `i` (again, after stop: same id and address). */
  start(i: number, options?: RaftTransportOptions): Promise<RaftTransport>;
  /** stop stops transport `i`, as a crash or shutdown would. */
  stop(i: number): Promise<void>;
  /** cleanup stops everything; called after each test even when it failed. */
  cleanup(): Promise<void>;
}

/** TransportFactory makes a harness of `size` transports, none started. */
export type TransportFactory = (size: number) => Promise<TransportHarness>;

/** Received collects the frames a transport hands to its handler. */
class Received {
  readonly frames: Array<{ from: NodeId; frame: Frame }> = [];
  constructor(t: RaftTransport) {
    t.setHandler((from, frame) => { this.frames.push({ from, frame }); });
  }
  from(id: NodeId): Frame[] {
    return this.frames.filter((f) => f.from === id).map((f) => f.frame);
  }
}

const FAST: RaftTransportOptions = { redialMinMs: 20, redialMaxMs: 300 };

function term(f: Frame): number {
  return 'term' in f ? f.term : -1;
}

function timeoutNow(from: NodeId, to: NodeId, term: number): Frame {
  return { type: 'TimeoutNow', from, to, term };
}

function proposal(from: NodeId, to: NodeId, n: number, size: number): Frame {
  return { type: 'ForwardProposal', from, to, requestId: `r${n}`, data: new Uint8Array(size).fill(n % 251) };
}

/** transportComplianceSuite declares the compliance tests of the transport made by `factory`. */
export function transportComplianceSuite(name: string, factory: TransportFactory): void {
  describe(`RaftTransport compliance: ${name}`, () => {
    let h: TransportHarness;
    beforeEach(async () => { h = await factory(3); });
    afterEach(async () => { await h.cleanup(); });

    async function connected(a: RaftTransport, b: RaftTransport): Promise<void> {
      a.addPeer(b.localId);
      b.addPeer(a.localId);
      await waitFor(() => a.isReachable(b.localId) && b.isReachable(a.localId), 'a link both ways');
    }

    it('delivers frames in order per peer, with the sender as from', async () => {
      const [a, b, c] = [await h.start(0, FAST), await h.start(1, FAST), await h.start(2, FAST)];
      const got = new Received(c);
      for (let i = 0; i < 500; i++) {
        a.send([timeoutNow(a.localId, c.localId, i)]);
        b.send([timeoutNow(b.localId, c.localId, 1000 + i), timeoutNow(b.localId, c.localId, 2000 + i)]);
        if (i % 100 === 0) await sleep(1);
      }
      await waitFor(() => got.frames.length === 1500, '1500 frames');
      expect(got.from(a.localId).map(term)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      const fromB = got.from(b.localId).map(term);
      expect(fromB).toEqual(Array.from({ length: 500 }, (_, i) => [1000 + i, 2000 + i]).flat());
      expect(got.from(a.localId)[0]).toEqual({ type: 'TimeoutNow', from: a.localId, to: c.localId, term: 0 });
      expect(c.stats().peers[a.localId]?.receivedFrames).toBe(500);
    });

    it('batches the frames of one turn into few writes', async () => {
      const [a, b] = [await h.start(0, FAST), await h.start(1, FAST)];
      const got = new Received(b);
      await connected(a, b);
      const before = a.stats().peers[b.localId]!.writes;
      a.send(Array.from({ length: 1000 }, (_, i) => timeoutNow(a.localId, b.localId, i)));
      await waitFor(() => got.frames.length === 1000, '1000 frames');
      const s = a.stats().peers[b.localId]!;
      expect(s.sentFrames).toBe(1000);
      expect(s.writes - before).toBeLessThanOrEqual(2);
    });

    it('pushes back on a peer that does not read, dropping rather than growing, then catches up', async () => {
      const maxQueueBytes = 512 * 1024;
      const [a, b] = [await h.start(0, { ...FAST, maxQueueBytes }), await h.start(1, FAST)];
      const got = new Received(b);
      await connected(a, b);
      const size = 32 * 1024;
      // Bursts of 384 KiB the receiver keeps up with, each more than a fresh stream
      // window (256 KiB for yamux): the stream fills and drains at least once.
      for (let i = 0; i < 240; i++) {
        a.send([proposal(a.localId, b.localId, i, size)]);
        if (i % 12 === 11) await waitFor(() => got.frames.length === i + 1, 'a burst to arrive', 10_000);
      }
      expect(a.stats().peers[b.localId]!.droppedFrames).toBe(0);
      b.setReceivingPaused(true);
      const sentBefore = a.stats().peers[b.localId]!.sentBytes;
      const total = 2000; // 62.5 MiB: far more than any stream window and socket buffer
      let maxQueued = 0;
      let maxUnsent = 0;
      const sample = () => {
        const now = a.stats().peers[b.localId]!;
        maxQueued = Math.max(maxQueued, now.queuedBytes);
        maxUnsent = Math.max(maxUnsent, now.unsentBytes);
      };
      for (let i = 240; i < 240 + total; i++) {
        a.send([proposal(a.localId, b.localId, i, size)]);
        sample();
        if (i % 50 === 49) {
          await sleep(5);
          sample();
        }
      }
      await sleep(100);
      sample();
      const s = a.stats().peers[b.localId]!;
      expect(maxQueued).toBeLessThanOrEqual(maxQueueBytes);
      // The stream holds at most about one batch while the link waits for drain.
      expect(maxUnsent).toBeLessThanOrEqual(maxQueueBytes + size + 64);
      expect(s.droppedFrames).toBeGreaterThan(0);
      // Handed to the stream while b read nothing: at most a window and some buffers, not everything.
      expect(s.sentBytes - sentBefore).toBeLessThan(32 * 1024 * 1024);
      expect(got.frames.length).toBeLessThan(240 + total);
      b.setReceivingPaused(false);
      await waitFor(() => got.frames.length + a.stats().peers[b.localId]!.droppedFrames === 240 + total, 'every frame received or counted as dropped', 15_000);
      const ids = got.frames.map((f) => Number((f.frame as { requestId: string }).requestId.slice(1)));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(got.frames.length).toBeGreaterThan(240);
    });

    it('drops frames to a peer that is away, within bounds', async () => {
      const a = await h.start(0, { ...FAST, maxQueueFrames: 100 });
      a.send(Array.from({ length: 1000 }, (_, i) => timeoutNow(a.localId, h.id(1), i)));
      await sleep(50);
      const s = a.stats().peers[h.id(1)]!;
      expect(s.reachable).toBe(false);
      expect(s.queuedFrames).toBe(100);
      expect(s.droppedFrames).toBe(900);
      expect(a.peers()).toEqual([h.id(1)]);
    });

    it('redials a peer that restarts and delivers again', async () => {
      const [a, b] = [await h.start(0, FAST), await h.start(1, FAST)];
      const reach: boolean[] = [];
      a.addEventListener('reachability', (e) => { if (e.detail.peer === b.localId) reach.push(e.detail.reachable); });
      let got = new Received(b);
      a.send([timeoutNow(a.localId, b.localId, 1)]);
      await waitFor(() => got.frames.length === 1, 'the first frame');
      await h.stop(1);
      await waitFor(() => !a.isReachable(b.localId), 'a to see b gone');
      await sleep(700); // several redials fail meanwhile
      const b2 = await h.start(1, FAST);
      got = new Received(b2);
      await waitFor(() => a.isReachable(b2.localId), 'a to reach b again', 5000);
      a.send([timeoutNow(a.localId, b2.localId, 2)]);
      await waitFor(() => got.frames.some((f) => term(f.frame) === 2), 'a frame after the restart');
      expect(reach[0]).toBe(true);
      expect(reach).toContain(false);
      expect(reach.at(-1)).toBe(true);
    });

    it('isolates a peer both ways and reconnects it', async () => {
      const [a, b, c] = [await h.start(0, FAST), await h.start(1, FAST), await h.start(2, FAST)];
      const [ga, gb, gc] = [new Received(a), new Received(b), new Received(c)];
      await connected(a, b);
      await connected(a, c);
      await connected(b, c);
      await a.setIsolated(true);
      expect(a.isolated).toBe(true);
      await waitFor(() => !b.isReachable(a.localId) && !c.isReachable(a.localId), 'b and c to lose a');
      expect(a.isReachable(b.localId) || a.isReachable(c.localId)).toBe(false);
      const before = ga.frames.length + gb.frames.length + gc.frames.length;
      a.send([timeoutNow(a.localId, b.localId, 10)]);
      b.send([timeoutNow(b.localId, a.localId, 11)]);
      c.send([timeoutNow(c.localId, b.localId, 12)]);
      await sleep(500); // long enough for several redials, which must not get through
      expect(ga.frames.length).toBe(0);
      expect(gb.frames.filter((f) => f.from === a.localId)).toHaveLength(0);
      expect(gb.from(c.localId).map(term)).toEqual([12]);
      expect(ga.frames.length + gb.frames.length + gc.frames.length).toBe(before + 1);
      expect(a.isReachable(b.localId)).toBe(false);
      await a.setIsolated(false);
      expect(a.isolated).toBe(false);
      await waitFor(() => a.isReachable(b.localId) && a.isReachable(c.localId) && b.isReachable(a.localId) && c.isReachable(a.localId), 'all links back', 5000);
      a.send([timeoutNow(a.localId, b.localId, 20)]);
      b.send([timeoutNow(b.localId, a.localId, 21)]);
      await waitFor(() => gb.from(a.localId).some((f) => term(f) === 20) && ga.from(b.localId).some((f) => term(f) === 21), 'frames both ways after reconnecting');
    });

    it('cuts a peer off from some peers both ways, keeps the others, and heals', async () => {
      const [a, b, c] = [await h.start(0, FAST), await h.start(1, FAST), await h.start(2, FAST)];
      const [ga, gb, gc] = [new Received(a), new Received(b), new Received(c)];
      await connected(a, b);
      await connected(a, c);
      await connected(b, c);
      await a.setCut([c.localId]); // only a says so: the cut holds both ways
      await waitFor(() => !c.isReachable(a.localId) && !a.isReachable(c.localId), 'a and c to lose each other');
      a.send([timeoutNow(a.localId, c.localId, 30), timeoutNow(a.localId, b.localId, 31)]);
      c.send([timeoutNow(c.localId, a.localId, 32), timeoutNow(c.localId, b.localId, 33)]);
      await waitFor(() => gb.from(a.localId).some((f) => term(f) === 31) && gb.from(c.localId).some((f) => term(f) === 33), 'b to hear both sides');
      await sleep(500); // long enough for several redials, which must not get through
      expect(gc.from(a.localId).map(term)).not.toContain(30);
      expect(ga.from(c.localId).map(term)).not.toContain(32);
      expect(a.isolated).toBe(false);
      await a.setCut([]);
      await waitFor(() => a.isReachable(c.localId) && c.isReachable(a.localId), 'a and c to reach each other again', 5000);
      a.send([timeoutNow(a.localId, c.localId, 40)]);
      c.send([timeoutNow(c.localId, a.localId, 41)]);
      await waitFor(() => gc.from(a.localId).some((f) => term(f) === 40) && ga.from(c.localId).some((f) => term(f) === 41), 'frames both ways after the heal');
    });

    it('keeps delivering when the handler throws', async () => {
      const [a, b] = [await h.start(0, FAST), await h.start(1, FAST)];
      const seen: number[] = [];
      b.setHandler((_from, f) => {
        seen.push(term(f));
        if (seen.length === 1) throw new Error('handler bug');
      });
      a.send([timeoutNow(a.localId, b.localId, 1), timeoutNow(a.localId, b.localId, 2)]);
      await waitFor(() => seen.length === 2, 'both frames');
      expect(b.stats().handlerErrors).toBe(1);
    });

    it('stops redialing a removed peer and drops its queue', async () => {
      const a = await h.start(0, FAST);
      a.send([timeoutNow(a.localId, h.id(1), 1)]);
      a.removePeer(h.id(1));
      expect(a.peers()).toEqual([]);
      const b = await h.start(1, FAST);
      const got = new Received(b);
      await sleep(400);
      expect(got.frames).toHaveLength(0);
      expect(a.isReachable(b.localId)).toBe(false);
    });
  });
}

import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';
import { OutboundQueue } from './outbound-queue.ts';

const frame = (n: number, size = 10) => new Uint8Array(size).fill(n);

describe('OutboundQueue', () => {
  it('drops new frames once full, keeping the ones already queued', () => {
    const q = new OutboundQueue({ maxBytes: 35, maxFrames: 100 });
    expect([1, 2, 3, 4].map((n) => q.push(frame(n)))).toEqual([true, true, true, false]);
    expect(q.byteLength).toBe(30);
    expect(q.take(1000).map((f) => f[0])).toEqual([1, 2, 3]);
    expect(q.length).toBe(0);
  });

  it('takes a frame larger than the limit only into an empty queue', () => {
    const q = new OutboundQueue({ maxBytes: 100, maxFrames: 100 });
    expect(q.push(frame(1, 500))).toBe(true);
    expect(q.push(frame(2))).toBe(false);
    expect(q.take(10)).toHaveLength(1);
    expect(q.push(frame(3))).toBe(true);
    expect(q.push(frame(4, 500))).toBe(false);
  });

  it('bounds the number of frames too', () => {
    const q = new OutboundQueue({ maxBytes: 1e9, maxFrames: 3 });
    expect([1, 2, 3, 4].map((n) => q.push(frame(n, 1)))).toEqual([true, true, true, false]);
  });

  it('takes batches of about maxBytes, in order, at least one frame each', () => {
    const q = new OutboundQueue({ maxBytes: 1e9, maxFrames: 1e6 });
    for (let i = 0; i < 5000; i++) q.push(frame(i % 256));
    const sizes: number[] = [];
    const order: number[] = [];
    while (q.length > 0) {
      const batch = q.take(1000);
      sizes.push(batch.length);
      for (const f of batch) order.push(f[0]!);
    }
    expect(sizes.every((s) => s === 100)).toBe(true);
    expect(order).toEqual(Array.from({ length: 5000 }, (_, i) => i % 256));
    expect(q.byteLength).toBe(0);
  });

  it('clears and counts what it dropped', () => {
    const q = new OutboundQueue({ maxBytes: 1e9, maxFrames: 1e6 });
    for (let i = 0; i < 7; i++) q.push(frame(i));
    expect(q.clear()).toBe(7);
    expect(q.length).toBe(0);
  });
});

describe('Backoff', () => {
  it('doubles from min to max and stays there forever, jittered by at most 20%', () => {
    const b = new Backoff({ minMs: 100, maxMs: 3000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1600, 3000]);
    for (let i = 0; i < 1000; i++) expect(b.next()).toBe(3000);
    b.reset();
    expect(b.next()).toBe(100);
    const low = new Backoff({ minMs: 100, maxMs: 3000, random: () => 0 });
    expect(low.next()).toBe(80);
  });
});

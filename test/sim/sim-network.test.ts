// The simulated network: delays in ticks, loss, duplication, partitions and cut links.

import { describe, expect, it } from 'vitest';
import type { Message } from '../../core/raft/index.ts';
import { Rng } from '../../core/testing/rng.ts';
import { RELIABLE, SimNetwork } from './sim-network.ts';

function msg(from: string, to: string, term = 1): Message {
  return { type: 'TimeoutNow', from, to, term };
}

function deliverAll(n: SimNetwork, from: number, to: number): Message[] {
  const out: Message[] = [];
  for (let t = from; t <= to; t++) out.push(...n.deliverDue(t));
  return out;
}

describe('Simulated network', () => {
  it('delivers each message once, one tick later, in order, when reliable', () => {
    const n = new SimNetwork(new Rng(1), RELIABLE);
    n.send(msg('a', 'b', 1), 0);
    n.send(msg('a', 'b', 2), 0);
    expect(n.deliverDue(0)).toEqual([]);
    expect(n.deliverDue(1).map((m) => m.term)).toEqual([1, 2]);
    expect(n.inFlight()).toBe(0);
  });

  it('loses, duplicates and delays messages as configured', () => {
    const lossy = new SimNetwork(new Rng(2), { ...RELIABLE, dropRate: 1 });
    lossy.send(msg('a', 'b'), 0);
    expect(deliverAll(lossy, 0, 10)).toEqual([]);
    const dup = new SimNetwork(new Rng(3), { ...RELIABLE, dupRate: 1 });
    dup.send(msg('a', 'b'), 0);
    expect(deliverAll(dup, 0, 10)).toHaveLength(2);
    const slow = new SimNetwork(new Rng(4), { ...RELIABLE, minDelay: 3, maxDelay: 3 });
    slow.send(msg('a', 'b'), 0);
    expect(deliverAll(slow, 0, 2)).toEqual([]);
    expect(slow.deliverDue(3)).toHaveLength(1);
  });

  it('reorders messages when it holds some back', () => {
    const n = new SimNetwork(new Rng(5), { ...RELIABLE, reorderRate: 0.5, reorderDelay: 10 });
    for (let i = 0; i < 50; i++) n.send(msg('a', 'b', i), 0);
    const terms = deliverAll(n, 0, 20).map((m) => m.term);
    expect([...terms].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(terms).not.toEqual([...terms].sort((x, y) => x - y));
  });

  it('stops messages across a partition, an isolated node or a cut link, also those in flight', () => {
    const n = new SimNetwork(new Rng(6), RELIABLE);
    n.send(msg('a', 'c'), 0);
    n.partition(['a', 'b'], ['c']);
    n.send(msg('a', 'b'), 0);
    n.send(msg('b', 'c'), 0);
    expect(n.deliverDue(1).map((m) => `${m.from}${m.to}`)).toEqual(['ab']);
    n.heal();
    n.cut('a', 'b', true);
    expect(n.canTalk('a', 'b')).toBe(false);
    expect(n.canTalk('b', 'a')).toBe(true);
    n.isolate('c');
    expect(n.canTalk('b', 'c')).toBe(false);
    n.reconnect('c');
    n.uncut('a', 'b');
    expect(n.isHealed()).toBe(true);
  });
});

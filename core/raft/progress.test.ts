import { describe, expect, it } from 'vitest';
import { Inflights } from './inflights.ts';
import { Progress } from './progress.ts';

describe('Inflights', () => {
  it('fills up to its capacity and frees acknowledged messages in order', () => {
    const inflights = new Inflights(3);
    inflights.add(5);
    inflights.add(9);
    inflights.add(12);
    expect(inflights.full()).toBe(true);
    expect(() => inflights.add(13)).toThrow(RangeError);
    inflights.freeTo(9);
    expect(inflights.size()).toBe(1);
    inflights.add(15);
    inflights.add(20);
    inflights.freeTo(14);
    expect(inflights.size()).toBe(2);
    inflights.reset();
    expect(inflights.size()).toBe(0);
  });
});

describe('Progress', () => {
  it('sends one probe at a time until it is answered', () => {
    const pr = new Progress(10, 4);
    expect(pr.paused()).toBe(false);
    pr.sent(9, 0);
    expect(pr.paused()).toBe(true);
    expect(pr.maybeUpdate(9)).toBe(true);
    expect(pr.paused()).toBe(false);
  });

  it('pipelines in replicate state within its window', () => {
    const pr = new Progress(1, 2);
    pr.becomeReplicate();
    pr.sent(5, 5);
    pr.sent(8, 3);
    expect(pr.next).toBe(9);
    expect(pr.paused()).toBe(true);
    pr.maybeUpdate(5);
    pr.inflights.freeTo(5);
    expect(pr.paused()).toBe(false);
  });

  it('never moves match backwards, and keeps next after match', () => {
    const pr = new Progress(3, 4);
    expect(pr.maybeUpdate(7)).toBe(true);
    expect(pr.next).toBe(8);
    expect(pr.maybeUpdate(4)).toBe(false);
    expect(pr.match).toBe(7);
  });

  it('waits for a snapshot, then probes after it', () => {
    const pr = new Progress(3, 4);
    pr.becomeSnapshot(50);
    expect(pr.paused()).toBe(true);
    pr.maybeUpdate(50);
    pr.becomeProbe();
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(51);
  });
});

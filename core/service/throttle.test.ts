import { afterEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from './throttle.ts';

afterEach(() => vi.useRealTimers());

describe('Throttle', () => {
  it('sends the first change at once and the rest at most once per period, the last one never lost', () => {
    vi.useFakeTimers();
    const send = vi.fn();
    const throttle = new Throttle(100, send);
    throttle.signal();
    expect(send).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) throttle.signal();
    expect(send).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100);
    expect(send).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(100);
    expect(send).toHaveBeenCalledTimes(2); // nothing changed meanwhile
    vi.advanceTimersByTime(1_000);
    throttle.signal();
    expect(send).toHaveBeenCalledTimes(3);
    throttle.signal();
    throttle.stop();
    vi.advanceTimersByTime(1_000);
    expect(send).toHaveBeenCalledTimes(3);
  });
});

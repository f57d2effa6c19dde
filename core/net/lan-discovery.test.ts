import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANNOUNCE_REPEAT_MS, announcing, Discoverability } from './lan-discovery.ts';
import type { MdnsResponder } from './patches/mdns-responder.ts';

/** FakeMdns stands for @libp2p/mdns's MulticastDNS: a socket while started, and the questions it was asked to answer. */
class FakeMdns implements MdnsResponder {
  mdns?: unknown;
  readonly answered: string[] = [];
  async start(): Promise<void> {
    this.mdns = {};
  }
  async stop(): Promise<void> {
    this.mdns = undefined;
  }
  _onMdnsQuery(query: { questions: Array<{ name: string; type: string }> }): void {
    this.answered.push(...query.questions.map((q) => `${q.type} ${q.name}`));
  }
}

const TAG = '_rn0123456789ab._udp.local';

afterEach(() => {
  vi.useRealTimers();
});

describe('LanDiscovery', () => {
  it('announces the peer when a transport listens, and once more a second later', async () => {
    vi.useFakeTimers();
    const events = new EventTarget();
    const mdns = announcing(new FakeMdns(), events, TAG);
    await mdns.start();
    expect(mdns.answered).toEqual([]); // nothing to announce before an address exists
    events.dispatchEvent(new CustomEvent('transport:listening'));
    await vi.advanceTimersByTimeAsync(0);
    expect(mdns.answered).toEqual([`PTR ${TAG}`]);
    await vi.advanceTimersByTimeAsync(ANNOUNCE_REPEAT_MS);
    expect(mdns.answered).toEqual([`PTR ${TAG}`, `PTR ${TAG}`]);
    await vi.advanceTimersByTimeAsync(60 * ANNOUNCE_REPEAT_MS);
    expect(mdns.answered).toHaveLength(2); // and then stays quiet while nothing changes
  });

  it('announces nothing after it stopped', async () => {
    vi.useFakeTimers();
    const events = new EventTarget();
    const mdns = announcing(new FakeMdns(), events, TAG);
    await mdns.start();
    events.dispatchEvent(new CustomEvent('transport:listening'));
    await vi.advanceTimersByTimeAsync(0);
    await mdns.stop();
    events.dispatchEvent(new CustomEvent('transport:listening'));
    await vi.advanceTimersByTimeAsync(10 * ANNOUNCE_REPEAT_MS);
    expect(mdns.answered).toEqual([`PTR ${TAG}`]);
  });

  it('keeps a newcomer quiet until it is discoverable, then announces it', async () => {
    vi.useFakeTimers();
    const events = new EventTarget();
    const discoverability = new Discoverability(false);
    const mdns = announcing(new FakeMdns(), events, TAG, discoverability);
    await mdns.start();
    events.dispatchEvent(new CustomEvent('transport:listening'));
    mdns._onMdnsQuery({ questions: [{ name: TAG, type: 'PTR' }] }); // another peer's query
    await vi.advanceTimersByTimeAsync(10 * ANNOUNCE_REPEAT_MS);
    expect(mdns.answered).toEqual([]);
    discoverability.set(true); // it became a member
    await vi.advanceTimersByTimeAsync(ANNOUNCE_REPEAT_MS);
    expect(mdns.answered).toEqual([`PTR ${TAG}`, `PTR ${TAG}`]);
    mdns._onMdnsQuery({ questions: [{ name: TAG, type: 'PTR' }] });
    expect(mdns.answered).toHaveLength(3);
  });
});

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Startable } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { mdnsAnswering, type MdnsQuery, type MdnsResponder } from './mdns-responder.ts';

const TAG = '_rn0123456789ab._udp.local';
const UPSTREAM_CHANGED = 'upstream changed: review core/net/patches/mdns-responder.ts, the patch may be obsolete';

/** freeUdpPort returns a UDP port on 127.0.0.1 that nothing listens on. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const quiet = Object.assign(() => {}, { trace: () => {}, error: () => {}, enabled: false });

/** Packet is what multicast-dns's send() is given. */
interface Packet { type: string; answers?: unknown[] }

/** Socket is the part of multicast-dns's instance observed here. */
interface Socket { send(packet: Packet, ...rest: unknown[]): void }

/**
 * A MulticastDNS of @libp2p/mdns as published, whose packets go to 127.0.0.1
 * only (its "multicast" address is 127.0.0.1, so it hears its own query), with
 * the addresses `addrs()` returns, and the events bus a real peer would hand it.
 */
async function publishedMdns(addrs: () => Multiaddr[]): Promise<{ discovery: MdnsResponder & Startable; events: EventTarget }> {
  const events = new EventTarget();
  const create = mdns({ serviceTag: TAG, ip: '127.0.0.1', port: await freeUdpPort(), interval: 60_000 });
  const discovery = create({
    addressManager: { getAddresses: addrs }, logger: { forComponent: () => quiet }, events,
  } as never) as unknown as MdnsResponder & Startable;
  return { discovery, events };
}

describe('MdnsAnswering', () => {
  it('answers only while allowed, and announces the records a query would get', () => {
    const answered: string[] = [];
    const discovery: MdnsResponder = {
      mdns: {},
      _onMdnsQuery: (q: MdnsQuery) => { answered.push(...q.questions.map((x) => `${x.type} ${x.name}`)); },
    };
    let allowed = false;
    const { announce } = mdnsAnswering(discovery, TAG, () => allowed);
    discovery._onMdnsQuery({ questions: [{ name: TAG, type: 'PTR' }] });
    announce();
    expect(answered).toEqual([]);
    allowed = true;
    announce();
    expect(answered).toEqual([`PTR ${TAG}`]);
    discovery.mdns = undefined; // stopped
    announce();
    expect(answered).toHaveLength(1);
  });

  it('names this file when @libp2p/mdns has no query handler', () => {
    expect(() => mdnsAnswering({} as MdnsResponder, TAG, () => true)).toThrow(/core\/net\/patches\/mdns-responder\.ts/);
  });
});

describe('@libp2p/mdns as published', () => {
  it('still hands every query to the _onMdnsQuery set before it starts', async () => {
    const { discovery } = await publishedMdns(() => []);
    expect(typeof discovery._onMdnsQuery, UPSTREAM_CHANGED).toBe('function');
    const heard: MdnsQuery[] = [];
    const answer = discovery._onMdnsQuery;
    discovery._onMdnsQuery = (q) => { heard.push(q); answer(q); };
    await discovery.start();
    try {
      // Its own query at start comes back to it on 127.0.0.1.
      for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(20);
      expect(heard.map((q) => q.questions[0]?.name), UPSTREAM_CHANGED).toEqual([TAG]);
    } finally {
      await discovery.stop();
    }
  });

  it('still announces nothing when a transport starts listening', async () => {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
    let addrs: Multiaddr[] = [];
    const { discovery, events } = await publishedMdns(() => addrs);
    const heard: MdnsQuery[] = [];
    const answer = discovery._onMdnsQuery;
    discovery._onMdnsQuery = (q) => { heard.push(q); answer(q); };
    await discovery.start();
    try {
      for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(20); // its own query, answered without addresses
      const socket = (discovery as unknown as { mdns: Socket }).mdns;
      const send = socket.send.bind(socket);
      const responses: Packet[] = [];
      socket.send = (packet, ...rest) => {
        if (packet.type === 'response') responses.push(packet);
        send(packet, ...rest);
      };
      addrs = [multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${peerId}`)];
      events.dispatchEvent(new CustomEvent('transport:listening'));
      events.dispatchEvent(new CustomEvent('self:peer:update'));
      await sleep(300);
      expect(responses, UPSTREAM_CHANGED).toEqual([]);
      answer({ questions: [{ name: TAG, type: 'PTR' }] }); // a query does get an answer, so the check above can see one
      expect(responses).toHaveLength(1);
    } finally {
      await discovery.stop();
    }
  });
});

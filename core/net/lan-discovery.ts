// LAN discovery: @libp2p/mdns, with two changes for joining a notebook fast.
//
// Announcements: the library only queries (at start, then every `interval`)
// and answers queries, so a peer that starts after the others have queried
// stays unknown to them until their next query (10 s by default). Here a peer
// also announces itself (RFC 6762 §8.3) as soon as its transports listen, and
// once more a second later in case the first packet was lost.
//
// Discoverability: only a member of the notebook can add a newcomer, so a
// newcomer keeps quiet (answers no query, announces nothing) until it is a
// member, then announces itself. Newcomers started together thus find the
// members alone, instead of first dialing each other (a connection costs CPU
// at both ends, at a start when every process wants the CPU; bench/results/patches.md).
//
// Nothing more is sent while nothing changes. Both changes reach into an
// internal of @libp2p/mdns; patches/mdns-responder.ts holds that reliance.
import type { Libp2pEvents, PeerDiscovery, Startable, TypedEventTarget } from '@libp2p/interface';
import { mdns, type MulticastDNSComponents, type MulticastDNSInit } from '@libp2p/mdns';
import { mdnsAnswering, type MdnsResponder } from './patches/mdns-responder.ts';

/** ANNOUNCE_REPEAT_MS is the pause before the second announcement (RFC 6762 §8.3: at least one second). */
export const ANNOUNCE_REPEAT_MS = 1_000;

/** Discoverability says whether this peer answers mDNS and announces itself; it emits 'change' when that flips. */
export class Discoverability extends EventTarget {
  private value: boolean;

  constructor(initial: boolean) {
    super();
    this.value = initial;
  }

  get discoverable(): boolean {
    return this.value;
  }

  /** set changes it; becoming discoverable makes the peer announce itself. */
  set(discoverable: boolean): void {
    if (discoverable === this.value) return;
    this.value = discoverable;
    this.dispatchEvent(new Event('change'));
  }
}

/** LanDiscoveryInit configures lanDiscovery: @libp2p/mdns's options, with the service tag required. */
export interface LanDiscoveryInit extends MulticastDNSInit {
  serviceTag: string;
  /** Whether to answer and announce; default: always. */
  discoverability?: Discoverability;
}

/** LanDiscoveryComponents are what libp2p hands a peer discovery module (the event bus included). */
export interface LanDiscoveryComponents extends MulticastDNSComponents {
  events: TypedEventTarget<Libp2pEvents>;
}

/**
 * lanDiscovery is a libp2p peer discovery module: mDNS queries and answers
 * as @libp2p/mdns does them, answers only while discoverable, and an
 * announcement of this peer whenever a transport starts listening or it
 * becomes discoverable, and again ANNOUNCE_REPEAT_MS later.
 */
export function lanDiscovery(init: LanDiscoveryInit): (components: LanDiscoveryComponents) => PeerDiscovery & Startable {
  const { discoverability = new Discoverability(true), ...mdnsInit } = init;
  const create = mdns(mdnsInit);
  return (components) => announcing(create(components) as PeerDiscovery & Startable & MdnsResponder, components.events,
    init.serviceTag, discoverability);
}

/**
 * announcing makes `discovery` answer queries only while `discoverability`
 * allows, and announce this peer whenever a transport starts listening or it
 * becomes discoverable, and again ANNOUNCE_REPEAT_MS later; it returns `discovery`.
 */
export function announcing<T extends Startable & MdnsResponder>(
  discovery: T, events: EventTarget, serviceTag: string, discoverability = new Discoverability(true),
): T {
  const timers = new Set<NodeJS.Timeout>();
  const { announce } = mdnsAnswering(discovery, serviceTag, () => discoverability.discoverable);
  const later = (ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      announce();
    }, ms);
    timers.add(timer);
  };
  // Announced on the next turn: the address manager lists a new address once the listener event is over.
  const announceTwice = () => {
    if (!discoverability.discoverable) return;
    later(0);
    later(ANNOUNCE_REPEAT_MS);
  };
  const start = discovery.start.bind(discovery);
  const stop = discovery.stop.bind(discovery);
  discovery.start = async () => {
    await start();
    events.addEventListener('transport:listening', announceTwice);
    discoverability.addEventListener('change', announceTwice);
  };
  discovery.stop = async () => {
    events.removeEventListener('transport:listening', announceTwice);
    discoverability.removeEventListener('change', announceTwice);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await stop();
  };
  return discovery;
}

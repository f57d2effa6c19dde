// Reliance on an internal of @libp2p/mdns, written against version 12.0.32.
// Upstream: no upstream issue found as of 2026-12; the behaviour is in
// src/mdns.ts: MulticastDNS.start (a query at start, then one every `interval`,
// no announcement) and MulticastDNS._onMdnsQuery (the answer to a query).
// Related: libp2p/js-libp2p-mdns#70 (2018, "Why poll?") and
// libp2p/go-libp2p#256 (mDNS should start announcing right away).
//
// lan-discovery.ts needs two things the library has no option for: answer
// queries only while this peer is discoverable, and announce this peer
// (RFC 6762 §8.3) once a transport listens. The library queries at start, before
// any transport listens (so its answer to its own query carries no address),
// and then only answers. Both go through MulticastDNS._onMdnsQuery, a member
// public in the class's typings though the class itself is not exported:
// its constructor binds it as an own property, and start() registers that
// property as the socket's query listener; `mdns` holds the socket while started.
//
// Not a process-wide patch, so installPatches() leaves it alone: each
// lanDiscovery wraps its own instance, through mdnsAnswering below, the only
// code that touches those members.

/** MdnsQuery is a query packet as multicast-dns hands it over (only the questions are read). */
export interface MdnsQuery {
  questions: Array<{ name: string; type: string }>;
}

/** MdnsResponder is the part of @libp2p/mdns's MulticastDNS used here: its socket while started, and its query handler. */
export interface MdnsResponder {
  mdns?: unknown;
  _onMdnsQuery(query: MdnsQuery): void;
}

/** MdnsAnswering is what lan-discovery.ts gets to steer an mDNS instance. */
export interface MdnsAnswering {
  /** announce sends this peer's records, as the answer to its own question for the service tag; nothing while stopped or not allowed. */
  announce(): void;
}

/**
 * mdnsAnswering makes `discovery` answer queries only while `allowed()`, and
 * returns the means to announce this peer. Call it before discovery.start(),
 * which registers the query handler; it throws, naming this file, when
 * @libp2p/mdns no longer has that handler.
 */
export function mdnsAnswering(discovery: MdnsResponder, serviceTag: string, allowed: () => boolean): MdnsAnswering {
  if (typeof discovery._onMdnsQuery !== 'function') {
    throw new Error('upstream changed: @libp2p/mdns MulticastDNS._onMdnsQuery is gone; review core/net/patches/mdns-responder.ts');
  }
  const answer = discovery._onMdnsQuery.bind(discovery);
  discovery._onMdnsQuery = (query) => {
    if (allowed()) answer(query);
  };
  return {
    // Answering our own question sends the records a query from another peer would get.
    announce: () => {
      if (discovery.mdns !== undefined) discovery._onMdnsQuery({ questions: [{ name: serviceTag, type: 'PTR' }] });
    },
  };
}

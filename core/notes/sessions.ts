// Sessions remember which requests of each client were applied, so a request
// retried across leader changes, or proposed again after a restart, changes
// the document once (Raft dissertation §6.3).
//
// Each client numbers its requests 1, 2, 3, …; they may commit out of order
// (several in flight, forwarded through different leaders). A session keeps a
// floor (every request up to it was applied) and the applied numbers above it.
//
// Expiry: sessions are kept for the MAX_SESSIONS clients seen most recently
// (by log index, so every replica expires the same ones). A client's requests
// never outlive its outbox, and every peer is one client, so a notebook would
// need more than MAX_SESSIONS peers writing for an expired client to come back
// with a request still pending. Above a session, at most MAX_GAP numbers are
// held; past that the floor moves up (a gap that long means a request was
// abandoned, which the outbox never does).

/** MAX_SESSIONS is how many clients' sessions the document keeps. */
export const MAX_SESSIONS = 10_000;
/** MAX_GAP is how many applied request numbers a session holds above its floor. */
export const MAX_GAP = 4_096;

/** Session is one client's applied requests. */
export interface Session {
  /** Every request number <= floor was applied. */
  floor: number;
  /** Applied request numbers above floor + 1. Invariant: every member > floor + 1. */
  above: number[];
  /** The log index of the client's latest applied request. */
  lastIndex: number;
}

/** Sessions tracks every client's applied requests. */
export class Sessions {
  private readonly byClient = new Map<string, Session>();

  /** applied says whether (client, seq) was applied already. */
  applied(client: string, seq: number): boolean {
    const s = this.byClient.get(client);
    return s !== undefined && (seq <= s.floor || s.above.includes(seq));
  }

  /** record notes that (client, seq) was applied at log index `index`. */
  record(client: string, seq: number, index: number): void {
    let s = this.byClient.get(client);
    if (s === undefined) {
      s = { floor: 0, above: [], lastIndex: index };
      this.byClient.set(client, s);
      this.expire();
    }
    // Keep the map in recency order: delete and set again.
    this.byClient.delete(client);
    this.byClient.set(client, s);
    s.lastIndex = index;
    if (seq === s.floor + 1) s.floor = seq;
    else if (seq > s.floor && !s.above.includes(seq)) s.above.push(seq);
    s.above.sort((a, b) => a - b);
    while (s.above.length > 0 && (s.above[0]! === s.floor + 1 || s.above.length > MAX_GAP)) {
      s.floor = Math.max(s.floor + 1, s.above[0]!);
      s.above.shift();
      while (s.above.length > 0 && s.above[0]! <= s.floor) s.above.shift();
    }
  }

  /** size is the number of sessions kept. */
  size(): number {
    return this.byClient.size;
  }

  /** toJSON lists the sessions, least recent first. */
  toJSON(): Array<[string, Session]> {
    return [...this.byClient];
  }

  /** fromJSON rebuilds sessions from toJSON's output. */
  static fromJSON(rows: Array<[string, Session]>): Sessions {
    const sessions = new Sessions();
    for (const [client, s] of rows) sessions.byClient.set(client, { floor: s.floor, above: [...s.above], lastIndex: s.lastIndex });
    return sessions;
  }

  private expire(): void {
    while (this.byClient.size > MAX_SESSIONS) {
      const oldest = this.byClient.keys().next().value as string;
      this.byClient.delete(oldest);
    }
  }
}

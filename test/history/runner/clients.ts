// The clients of a history run: each one, in a loop until told to stop, picks
// a random peer and sends one operation — an add, a read of the notes, or a
// compare-and-swap edit or delete (with the version its last read saw) of one
// of the oldest few notes, the notes every client shares. Deletes grow more
// likely as the document grows, so it stays small enough to read whole.
// Every operation is recorded with its invoke and complete times and its
// outcome (history.ts).
import type { Rng } from '../../../core/testing/rng.ts';
import { originOf, type ObservedNote, type OpEvent, type Outcome } from '../checker/history.ts';
import type { Cluster } from './cluster.ts';
import { callPeer, type Answer } from './peer-api.ts';
import type { Recorder } from './recorder.ts';

/** SHARED is how many of the oldest notes the clients edit and delete. */
const SHARED = 4;
/** The document size around which deletes become as likely as adds. */
const DOC_SIZE = 150;
/** How long a client waits for an answer: a write waits 2 s for its commit on the peer, then more under load. */
const WRITE_TIMEOUT_MS = 6_000;
const READ_TIMEOUT_MS = 4_000;

/** ClientsInit says how many clients run, against whom, and until when. */
export interface ClientsInit {
  cluster: Cluster;
  recorder: Recorder;
  rng: Rng;
  count: number;
  /** Aborted when the clients should stop (after the operation under way). */
  signal: AbortSignal;
}

/** runClients runs the clients until `signal` aborts. */
export async function runClients(init: ClientsInit): Promise<void> {
  // Reads see the same versions of the same notes again and again: one tuple each, shared by every read that saw it,
  // keeps a long run's history (reads × notes) in memory.
  const observed = new Map<string, ObservedNote>();
  const intern = (n: ObservedNote): ObservedNote => {
    const key = `${n[0]}@${n[1]}@${n[2]}`;
    const known = observed.get(key);
    if (known !== undefined) return known;
    observed.set(key, n);
    return n;
  };
  await Promise.all(Array.from({ length: init.count }, (_, i) => runClient(i + 1, init, intern)));
}

/** outcomeOf classifies an answer: ECONNREFUSED and 4xx are certain failures; other errors and 5xx may have taken effect. */
export function outcomeOf(answer: Answer): Outcome {
  if ('error' in answer) return answer.error === 'ECONNREFUSED' ? 'failed' : 'indeterminate';
  if (answer.status === 200 || answer.status === 201) return 'ok';
  if (answer.status === 202) return 'pending';
  if (answer.status >= 400 && answer.status < 500) return 'failed';
  return 'indeterminate';
}

async function runClient(client: number, { cluster, recorder, rng: parent, signal }: ClientsInit,
  intern: (n: ObservedNote) => ObservedNote): Promise<void> {
  const rng = parent.fork(`client ${client}`);
  let n = 0;
  let lastRead: ObservedNote[] | null = null;
  while (!signal.aborted) {
    const slot = rng.pick(cluster.slots);
    const ready = slot.peer.ready;
    if (ready === null) {
      await sleep(20);
      continue;
    }
    const shared = (lastRead ?? []).slice(0, SHARED);
    const kind = lastRead === null ? 'read' : chooseKind(rng, lastRead.length, shared.length > 0);
    const target = shared.length > 0 ? rng.pick(shared) : null;
    const tag = `${client}.${++n}`;
    const base = { type: 'op' as const, client, peer: slot.name, peerId: ready.peerId };
    const invoke = recorder.now();
    let event: OpEvent;
    if (kind === 'add') {
      const text = `a:${tag}`;
      const a = await callPeer(ready, 'POST', '/api/notes', { text }, WRITE_TIMEOUT_MS);
      event = { ...base, kind, text, ...note(a), ...done(a, invoke, recorder) };
    } else if (kind === 'edit' && target !== null) {
      const [seq, version, current] = target;
      const text = `${originOf(current)} e:${tag}`;
      const a = await callPeer(ready, 'PUT', `/api/notes/n${seq.toString(36)}`, { text, version }, WRITE_TIMEOUT_MS);
      event = { ...base, kind, seq, version, text, ...note(a), ...done(a, invoke, recorder), ...currentOf(a) };
    } else if (kind === 'delete' && target !== null) {
      const [seq, version] = target;
      const a = await callPeer(ready, 'DELETE', `/api/notes/n${seq.toString(36)}?version=${version}`, undefined, WRITE_TIMEOUT_MS);
      event = { ...base, kind, seq, version, ...done(a, invoke, recorder), ...currentOf(a) };
    } else {
      const a = await callPeer(ready, 'GET', '/api/notes', undefined, READ_TIMEOUT_MS);
      const notes = 'status' in a && a.status === 200 ? (a.body.notes as Array<{ seq: number; version: number; text: string }>).map((x) => intern([x.seq, x.version, x.text])) : undefined;
      if (notes !== undefined) lastRead = notes;
      event = { ...base, kind: 'read', ...(notes !== undefined ? { notes } : {}), ...done(a, invoke, recorder) };
    }
    recorder.record(event);
    if (lastRead !== null && event.kind !== 'read' && event.kind !== 'add') lastRead = learn(lastRead, event);
    await sleep(rng.int(0, 30));
  }
}

/** learn updates a client's view of the notes with what an edit's or delete's answer told: the new version, the note's absence, or (409) its current version. */
function learn(view: ObservedNote[], event: Extract<OpEvent, { kind: 'edit' | 'delete' }>): ObservedNote[] {
  const replace = (n: ObservedNote | null) => view.flatMap((x) => x[0] !== event.seq ? [x] : n === null ? [] : [n]);
  if (event.outcome === 'ok') return replace(event.kind === 'edit' && event.note !== undefined ? event.note : null);
  if (event.status === 404) return replace(null);
  if (event.status === 409 && event.current !== undefined) return replace(event.current);
  return view;
}

/** chooseKind draws the next operation: deletes weigh more as the document nears DOC_SIZE notes. */
function chooseKind(rng: Rng, size: number, anyShared: boolean): 'add' | 'read' | 'edit' | 'delete' {
  if (!anyShared) return rng.chance(0.7) ? 'add' : 'read';
  const weights = { add: 0.35, read: 0.2, edit: 0.3, delete: 0.02 + 0.3 * Math.min(1, size / DOC_SIZE) };
  let r = rng.float() * (weights.add + weights.read + weights.edit + weights.delete);
  for (const k of ['add', 'read', 'edit'] as const) {
    if (r < weights[k]) return k;
    r -= weights[k];
  }
  return 'delete';
}

/** note is the note a write's 200/201 answer holds, as [seq, version, text]. */
function note(a: Answer): { note?: ObservedNote } {
  if (!('status' in a) || (a.status !== 200 && a.status !== 201) || a.body?.note === undefined) return {};
  const { seq, version, text } = a.body.note as { seq: number; version: number; text: string };
  return { note: [seq, version, text] };
}

/** currentOf is the note a 409 answer says is current, as [seq, version, text]. */
function currentOf(a: Answer): { current?: ObservedNote } {
  if (!('status' in a) || a.status !== 409 || a.body?.current === undefined) return {};
  const { seq, version, text } = a.body.current as { seq: number; version: number; text: string };
  return { current: [seq, version, text] };
}

function done(a: Answer, invoke: number, recorder: Recorder): { invoke: number; complete: number; outcome: Outcome; status: number | string } {
  return { invoke, complete: recorder.now(), outcome: outcomeOf(a), status: 'status' in a ? a.status : a.error };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

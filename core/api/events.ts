// The API's live events, for every adapter (HTTP's GET /api/events, the
// desktop app's IPC subscription): `status` (the whole of GET /api/status,
// sent when it may have changed), `notes` (what changed in the document since
// the last `notes` event this subscriber got, with the pending and refused
// requests: a NotesChange) and `log` (a line of the peer's story). A new
// subscriber first gets the current status, the whole document (a `notes`
// event with `reset`) and the peer's recent log lines (NotesService.recentLog).
//
// A big document is sent in parts of FIRST_PICTURE_PART notes, one per turn of
// the event loop: the reset with the first notes and `more: true`, then
// changes adding the next ones, the last with `more: false`. The first screen
// of notes is on its way while the rest is encoded, the page parses one part
// while the peer encodes the next, and the peer's own work (Raft, other
// requests) never waits for 20 MB of JSON at once. A change to the document
// meanwhile is sent after the last part.
import type { NotesService } from '../service/notes-service.ts';
import type { TraceBatch } from '../service/raft-trace.ts';
import type { LogLine, NotesChange, PeerStatus } from '../service/views.ts';

/** ApiEvent is one event of the stream. */
export type ApiEvent =
  | { event: 'status'; data: PeerStatus }
  | { event: 'notes'; data: NotesChange }
  | { event: 'log'; data: LogLine }
  /** Only from a peer started with --lab (the demo's): its Raft messages and timer, every 100 ms. */
  | { event: 'trace'; data: TraceBatch };

/** FIRST_PICTURE_PART is the most notes one `notes` event of a first picture carries (5,000 notes of 100 bytes: about 1 MB of JSON). */
export const FIRST_PICTURE_PART = 5_000;

/** EventFeed subscribes a receiver to the events; the result unsubscribes it. */
export type EventFeed = (send: (event: ApiEvent) => void) => () => void;

/** eventFeed serves `service`'s events to any number of subscribers. */
export function eventFeed(service: NotesService): EventFeed {
  return (send) => {
    const onStatus = () => send({ event: 'status', data: service.status() });
    /** The revision this subscriber holds: each `notes` event carries only what changed since. */
    let revision: number | null = null;
    /** The parts of a big picture not sent yet (sent one per turn of the event loop); empty when none is under way. */
    let parts: NotesChange[] = [];
    /** The document changed while parts were being sent: a change follows the last part. */
    let changed = false;
    let stopped = false;
    const onNotes = () => {
      if (parts.length > 0) {
        changed = true;
        return;
      }
      const change = service.notesSince(revision);
      revision = change.revision;
      parts = inParts(change);
      send({ event: 'notes', data: parts.shift()! });
      if (parts.length > 0) setImmediate(nextPart);
    };
    const nextPart = () => {
      if (stopped) return;
      send({ event: 'notes', data: parts.shift()! });
      if (parts.length > 0) {
        setImmediate(nextPart);
      } else if (changed) {
        changed = false;
        onNotes();
      }
    };
    const onLog = (evt: CustomEvent<LogLine>) => send({ event: 'log', data: evt.detail });
    const onTrace = (evt: CustomEvent<TraceBatch>) => send({ event: 'trace', data: evt.detail });
    service.addEventListener('status', onStatus);
    service.addEventListener('notes', onNotes);
    service.addEventListener('log', onLog);
    service.addEventListener('trace', onTrace);
    onStatus();
    onNotes();
    for (const line of service.recentLog()) send({ event: 'log', data: line });
    return () => {
      stopped = true;
      service.removeEventListener('status', onStatus);
      service.removeEventListener('notes', onNotes);
      service.removeEventListener('log', onLog);
      service.removeEventListener('trace', onTrace);
    };
  };
}

/** inParts splits a change of more than FIRST_PICTURE_PART notes into parts: the change with its first notes, then changes that add the next ones. */
function inParts(change: NotesChange): NotesChange[] {
  const { notes } = change;
  if (notes.length <= FIRST_PICTURE_PART) return [change];
  const parts: NotesChange[] = [];
  for (let at = 0; at < notes.length; at += FIRST_PICTURE_PART) {
    const end = Math.min(at + FIRST_PICTURE_PART, notes.length);
    parts.push({
      ...change,
      reset: change.reset && at === 0,
      notes: notes.slice(at, end),
      deleted: at === 0 ? change.deleted : [],
      more: end < notes.length,
    });
  }
  return parts;
}

// The API's live events, for every adapter (HTTP's GET /api/events, the
// desktop app's IPC subscription): `status` (the whole of GET /api/status,
// sent when it may have changed), `notes` (what changed in the document since
// the last `notes` event this subscriber got, with the pending and refused
// requests: a NotesChange) and `log` (a line of the peer's story). A new
// subscriber first gets the current status, the whole document (a `notes`
// event with `reset`) and the peer's recent log lines (NotesService.recentLog).
//
// A big document (or a big change) is sent in parts of FIRST_PICTURE_PART
// notes, one per turn of the event loop: the reset (the change) with the first
// notes and `more: true`, then changes adding the next ones, the last with
// `more: false`. The first screen
// of notes is on its way while the rest is built and encoded (each part is
// built when it is sent: core/service/notes-parts.ts), the page parses one part
// while the peer encodes the next, and the peer's own work (Raft, other
// requests) never waits for 20 MB of JSON at once. A change to the document
// meanwhile is sent after the last part.
import type { NotesService } from '../service/notes-service.ts';
import type { TraceBatch } from '../service/raft-trace.ts';
import type { LogLine, NotesChange, NotesPart, PeerStatus } from '../service/views.ts';

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
    /** The next part of a big picture, while one is being sent (one part per turn of the event loop). */
    let next: (() => NotesPart) | null = null;
    /** The document changed while parts were being sent: a change follows the last part. */
    let changed = false;
    let stopped = false;
    const sendPart = (part: NotesPart) => {
      send({ event: 'notes', data: part.change });
      next = part.next;
      if (next !== null) setImmediate(nextPart);
    };
    const onNotes = () => {
      if (next !== null) {
        changed = true;
        return;
      }
      const part = service.notesSince(revision, FIRST_PICTURE_PART);
      revision = part.change.revision;
      sendPart(part);
    };
    const nextPart = () => {
      if (stopped || next === null) return;
      sendPart(next());
      if (next === null && changed) {
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

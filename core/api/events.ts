// The API's live events, for every adapter (HTTP's GET /api/events, the
// desktop app's IPC subscription): `status` (the whole of GET /api/status,
// sent when it may have changed), `notes` (what changed in the document since
// the last `notes` event this subscriber got, with the pending and refused
// requests: a NotesChange) and `log` (a line of the peer's story). A new
// subscriber first gets the current status, the whole document (a `notes`
// event with `reset`) and the peer's recent log lines (NotesService.recentLog).
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

/** EventFeed subscribes a receiver to the events; the result unsubscribes it. */
export type EventFeed = (send: (event: ApiEvent) => void) => () => void;

/** eventFeed serves `service`'s events to any number of subscribers. */
export function eventFeed(service: NotesService): EventFeed {
  return (send) => {
    const onStatus = () => send({ event: 'status', data: service.status() });
    /** The revision this subscriber holds: each `notes` event carries only what changed since. */
    let revision: number | null = null;
    const onNotes = () => {
      const change = service.notesSince(revision);
      revision = change.revision;
      send({ event: 'notes', data: change });
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
      service.removeEventListener('status', onStatus);
      service.removeEventListener('notes', onNotes);
      service.removeEventListener('log', onLog);
      service.removeEventListener('trace', onTrace);
    };
  };
}

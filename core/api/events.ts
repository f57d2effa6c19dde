// The API's live events, for every adapter (HTTP's GET /api/events, the
// desktop app's IPC subscription): `status` and `notes` (the whole of
// GET /api/status and GET /api/notes, sent when they may have changed) and
// `log` (a line of the peer's story). A new subscriber first gets the current
// status and notes and the peer's recent log lines (NotesService.recentLog).
import type { NotesService } from '../service/notes-service.ts';
import type { TraceBatch } from '../service/raft-trace.ts';
import type { LogLine, NotesSnapshot, PeerStatus } from '../service/views.ts';

/** ApiEvent is one event of the stream. */
export type ApiEvent =
  | { event: 'status'; data: PeerStatus }
  | { event: 'notes'; data: NotesSnapshot }
  | { event: 'log'; data: LogLine }
  /** Only from a peer started with --lab (the demo's): its Raft messages and timer, every 100 ms. */
  | { event: 'trace'; data: TraceBatch };

/** EventFeed subscribes a receiver to the events; the result unsubscribes it. */
export type EventFeed = (send: (event: ApiEvent) => void) => () => void;

/** eventFeed serves `service`'s events to any number of subscribers. */
export function eventFeed(service: NotesService): EventFeed {
  return (send) => {
    const onStatus = () => send({ event: 'status', data: service.status() });
    const onNotes = () => send({ event: 'notes', data: service.notes() });
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

// The routes of the local API (DESIGN.md §4), each a thin call into the NotesService.
import { ApiError } from './api-error.ts';
import type { EventFeed, Route } from './http/http-api.ts';
import type { NotesService } from '../service/notes-service.ts';
import { MAX_LOG_PAGE } from '../service/log-view.ts';

/** apiRoutes maps the API's paths onto `service`. */
export function apiRoutes(service: NotesService): Route[] {
  return [
    { method: 'GET', path: '/api/status', handle: () => ({ status: 200, body: service.status() }) },
    { method: 'GET', path: '/api/notes', handle: () => ({ status: 200, body: service.notes() }) },
    {
      // ?from=I&limit=N: N entries (default 100) from index I (default: the last N).
      method: 'GET', path: '/api/log',
      handle: ({ query }) => {
        const limit = wholeNumber(query.get('limit'), 'limit', 1, MAX_LOG_PAGE) ?? 100;
        const from = wholeNumber(query.get('from'), 'from', 1, Number.MAX_SAFE_INTEGER)
          ?? Math.max(1, service.status().lastIndex - limit + 1);
        return { status: 200, body: service.logEntries(from, limit) };
      },
    },
    {
      method: 'POST', path: '/api/notes',
      handle: async ({ body }) => {
        const { text } = objectBody(body, '{"text":"…"}');
        const result = await service.addNote(text);
        return result.committed ? { status: 201, body: { note: result.note } } : { status: 202, body: { pending: result.pending } };
      },
    },
    {
      method: 'PUT', path: '/api/notes/:id',
      handle: async ({ params, body }) => {
        const b = objectBody(body, '{"text":"…","version":1}');
        const result = await service.editNote(params['id']!, b['text'], b['version']);
        return result.committed ? { status: 200, body: { note: result.note } } : { status: 202, body: { pending: result.pending } };
      },
    },
    {
      method: 'DELETE', path: '/api/notes/:id',
      handle: async ({ params, query }) => {
        const raw = query.get('version');
        const version = raw !== null && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
        const result = await service.deleteNote(params['id']!, version);
        return result.committed ? { status: 200, body: { deleted: result.note } } : { status: 202, body: { pending: result.pending } };
      },
    },
    {
      method: 'DELETE', path: '/api/conflicts/:requestId',
      handle: async ({ params }) => {
        await service.dismissConflict(params['requestId']!);
        return { status: 200, body: { dismissed: params['requestId'] } };
      },
    },
    {
      method: 'POST', path: '/api/network',
      handle: async ({ body }) => ({ status: 200, body: { isolated: await service.setIsolated(objectBody(body, '{"isolated":true}')['isolated']) } }),
    },
    {
      method: 'POST', path: '/api/leadership',
      handle: async ({ body }) => ({ status: 200, body: { leaderId: await service.transferLeadership(objectBody(body, '{"to":"<peer id>"}')['to']) } }),
    },
    {
      method: 'DELETE', path: '/api/members/:id',
      handle: async ({ params }) => {
        await service.removeMember(params['id']!);
        return { status: 200, body: { removed: params['id'] } };
      },
    },
    {
      method: 'GET', path: '/api/export',
      handle: ({ query }) => {
        const format = query.get('format') ?? 'json';
        if (format === 'md') return { status: 200, body: service.exportMarkdown(), type: 'text/markdown; charset=utf-8' };
        if (format === 'json') {
          return { status: 200, body: { notebook: service.status().notebook, exportedAt: new Date().toISOString(), notes: service.notes().notes } };
        }
        throw new ApiError(400, 'invalid-format', 'format must be md or json, e.g. /api/export?format=md.');
      },
    },
    {
      method: 'POST', path: '/api/notebook',
      handle: async ({ body }) => {
        const b = objectBody(body, '{"name":"…"} or {"invite":"rn1…"}');
        if (typeof b['invite'] === 'string') await service.joinNotebook(b['invite']);
        else if (typeof b['name'] === 'string') await service.createNotebook(b['name']);
        else throw new ApiError(400, 'invalid-request', 'Send {"name":"…"} to create a notebook or {"invite":"rn1…"} to join one.');
        return { status: 201, body: { notebook: service.status().notebook } };
      },
    },
    {
      method: 'GET', path: '/api/invite',
      handle: () => {
        const invite = service.invite();
        if (invite === null) throw new ApiError(409, 'no-notebook', 'This peer has no notebook yet: create one first.');
        return { status: 200, body: { invite } };
      },
    },
  ];
}

/** RECENT_LOG_LINES is how many recent `log` events a new event stream gets first. */
export const RECENT_LOG_LINES = 50;

/** apiEvents feeds GET /api/events: `status`, `notes` and `log` events; a new stream starts with the recent log lines. */
export function apiEvents(service: NotesService): EventFeed {
  const recent: Array<{ at: number; text: string }> = [];
  service.addEventListener('log', (evt) => {
    recent.push({ at: Date.now(), text: (evt as CustomEvent<string>).detail });
    if (recent.length > RECENT_LOG_LINES) recent.shift();
  });
  return (send) => {
    const onStatus = () => send('status', service.status());
    const onNotes = () => send('notes', service.notes());
    const onLog = () => send('log', recent[recent.length - 1]);
    service.addEventListener('status', onStatus);
    service.addEventListener('notes', onNotes);
    service.addEventListener('log', onLog);
    onStatus();
    onNotes();
    for (const line of recent) send('log', line);
    return () => {
      service.removeEventListener('status', onStatus);
      service.removeEventListener('notes', onNotes);
      service.removeEventListener('log', onLog);
    };
  };
}

/** wholeNumber reads an optional query parameter that must be a whole number in [min, max]. */
function wholeNumber(raw: string | null, name: string, min: number, max: number): number | undefined {
  if (raw === null) return undefined;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ApiError(400, 'invalid-range', `${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' on' : ` to ${max}`}, e.g. /api/log?from=1&limit=100.`);
  }
  return value;
}

function objectBody(body: unknown, example: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid-request', `The request body must be a JSON object, e.g. ${example}.`);
  }
  return body as Record<string, unknown>;
}

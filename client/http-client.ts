// The ClientApi over the peer's local HTTP API and its server-sent events, for
// the page a peer serves and for the demo dashboard (baseUrl `/peers/<i>`).
import { ClientError, type ClientApi, type ConnectionState, type EventHandlers, type ExportFile, type LogLine, type Note, type NotesChange, type NotesSnapshot, type PeerStatus, type WriteResult } from './client-api.ts';
import { changeFromWire } from '../core/api/note-columns.ts';
import { openEventStream } from './event-stream.ts';
import { NotesMirror } from './notes-mirror.ts';

/** HttpClientInit says where the peer's API is and how to authenticate. */
export interface HttpClientInit {
  /** A prefix of every API path: '' for the page's own origin, `/peers/2` behind the demo server, or `http://127.0.0.1:PORT`. */
  baseUrl: string;
  token: string;
}

/** createHttpClient makes a ClientApi that calls `${baseUrl}/api/...` with the bearer token. */
export function createHttpClient(init: HttpClientInit): ClientApi {
  const base = init.baseUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${init.token}` };

  /** call sends one request; `keepalive` lets it finish after the page is gone (small bodies only: the browser caps them at 64 KiB). */
  async function call(method: string, path: string, body?: unknown, keepalive = false): Promise<{ status: number; body: any; text: string; type: string }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        keepalive,
      });
    } catch {
      throw new ClientError('network', 'The peer does not answer. Is it still running? The page reconnects by itself once it is back.');
    }
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    let parsed: any = null;
    if (type.startsWith('application/json') && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (res.status >= 400) {
      const code = typeof parsed?.error === 'string' ? parsed.error : `http-${res.status}`;
      const message = typeof parsed?.message === 'string' ? parsed.message : `The peer answered ${res.status} ${res.statusText}.`;
      throw new ClientError(code, message, res.status, { current: parsed?.current ?? null, leaderId: parsed?.leaderId ?? null });
    }
    return { status: res.status, body: parsed, text, type };
  }

  const write = (res: { status: number; body: any }): WriteResult =>
    res.status === 202 ? { committed: false, pending: res.body.pending } : { committed: true, note: (res.body.note ?? res.body.deleted) as Note, index: res.body.index as number };

  return {
    status: async () => (await call('GET', '/api/status')).body as PeerStatus,
    notes: async () => (await call('GET', '/api/notes')).body as NotesSnapshot,
    addNote: async (text) => write(await call('POST', '/api/notes', { text })),
    editNote: async (id, text, version) => write(await call('PUT', `/api/notes/${encodeURIComponent(id)}`, { text, version })),
    deleteNote: async (id, version, options) => write(await call('DELETE', `/api/notes/${encodeURIComponent(id)}?version=${version}`, undefined, options?.keepalive)),
    dismissConflict: async (requestId) => { await call('DELETE', `/api/conflicts/${encodeURIComponent(requestId)}`); },
    createNotebook: async (name) => (await call('POST', '/api/notebook', { name })).body.notebook,
    joinNotebook: async (invite) => (await call('POST', '/api/notebook', { invite })).body.notebook,
    rejoinNotebook: async () => { await call('POST', '/api/notebook/rejoin', {}); },
    leaveNotebook: async () => { await call('DELETE', '/api/notebook'); },
    invite: async () => (await call('GET', '/api/invite')).body.invite as string,
    setIsolated: async (isolated) => (await call('POST', '/api/network', { isolated })).body.isolated as boolean,
    transferLeadership: async (to) => (await call('POST', '/api/leadership', { to })).body.leaderId as string | null,
    removeMember: async (id) => { await call('DELETE', `/api/members/${encodeURIComponent(id)}`); },
    exportNotes: async (format): Promise<ExportFile> => {
      const res = await call('GET', `/api/export?format=${format}`);
      const day = new Date().toISOString().slice(0, 10);
      return format === 'md'
        ? { filename: `raftnotes-${day}.md`, type: 'text/markdown', text: res.text }
        : { filename: `raftnotes-${day}.json`, type: 'application/json', text: JSON.stringify(res.body, null, 2) };
    },
    subscribe: (handlers: EventHandlers) => {
      handlers.connection?.('connecting');
      let mirror = new NotesMirror();
      return openEventStream({
        url: `${base}/api/events`,
        headers: auth,
        onState: (state: ConnectionState, retryInMs?: number, refusal?: string) => {
          // A reopened stream starts again with the whole document.
          if (state === 'open') mirror = new NotesMirror();
          handlers.connection?.(state, retryInMs, refusal);
        },
        onEvent: ({ event, data }) => {
          let value: unknown;
          try {
            value = JSON.parse(data);
            // The stream carries a change's notes as columns: back into notes.
            if (event === 'notes') value = changeFromWire(value);
          } catch {
            return;
          }
          if (event === 'status') handlers.status?.(value as PeerStatus);
          else if (event === 'notes') {
            const notes = mirror.apply(value as NotesChange);
            if (notes !== null) handlers.notes?.(notes);
          }
          else if (event === 'log') handlers.log?.(value as LogLine);
        },
      });
    },
  };
}

// The local API as one table of operations (docs/api.md): each has a name, an
// input schema (checked once, at the edge of whichever adapter carries it),
// the call into the service, and how HTTP carries it (method, path, where
// the input comes from, the answer's status and body). The HTTP adapter
// (http/http-api.ts) serves the table; the desktop app's IPC bridge serves
// the same table with the same schemas. docs/api.md documents every entry,
// and a test holds the two together.
import * as v from 'valibot';
import type { NotesService } from '../service/notes-service.ts';
import type { Note, PeerStatus, WriteResult } from '../service/views.ts';
import type { HttpMethod } from './http/router.ts';
import { body, exportFormat, labChange, logRange, notesQuery, noteText, noteVersion, openNotebook, pathParam } from './schemas.ts';

/** HttpAnswer is a status and a JSON body, or a text body of the given content type. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  type?: string;
}

/** HttpBinding is how HTTP carries an operation. */
export interface HttpBinding<R> {
  method: HttpMethod;
  /** The path; `:name` segments are input fields. */
  path: string;
  /**
   * Where the other input fields come from: the JSON body, the query string
   * (whole numbers there are read as numbers), or either ('query-or-body': a
   * field given in both must have the same value there).
   */
  from: 'body' | 'query' | 'query-or-body';
  /** The answer; default 200 with the result as the body. */
  answer?: (result: R) => HttpAnswer;
}

/** Operation is one entry of the table. */
export interface Operation<S extends v.GenericSchema, R> {
  /** What it does, in one line (docs/api.md repeats it). */
  summary: string;
  input: S;
  run: (service: NotesService, input: v.InferOutput<S>) => R | Promise<R>;
  http: HttpBinding<R>;
}

/** AnyOperation is an entry of the table whatever its input and result (for code that runs any of them). */
export type AnyOperation = Operation<any, any>;

function operation<S extends v.GenericSchema, R>(op: Operation<S, R>): Operation<S, R> {
  return op;
}

/** written answers a write: 201 (200 for edits and deletes) with the note once committed, 202 with the pending request. */
function written(field: 'note' | 'deleted', committedStatus: number) {
  return (result: WriteResult): HttpAnswer => result.committed
    ? { status: committedStatus, body: { [field]: result.note, index: result.index } }
    : { status: 202, body: { pending: result.pending } };
}

const none = v.object({});

/** ExportResult is the whole document as Markdown, or as JSON with the notebook and the time of the export. */
export type ExportResult =
  | { format: 'md'; text: string }
  | { format: 'json'; document: { notebook: PeerStatus['notebook']; exportedAt: string; notes: Note[] } };

/** OPERATIONS is every operation of the local API, by name. */
export const OPERATIONS = {
  status: operation({
    summary: 'This peer and the cluster as it sees it.',
    input: none,
    run: (service) => service.status(),
    http: { method: 'GET', path: '/api/status', from: 'query' },
  }),
  notes: operation({
    summary: 'The document, with this peer\'s pending and refused requests; with `after`, once this peer applied that log entry.',
    input: notesQuery,
    run: (service, { after }) => service.notesAfter(after),
    http: { method: 'GET', path: '/api/notes', from: 'query' },
  }),
  log: operation({
    summary: 'Up to `limit` entries (default 100) of the Raft log from index `from` (default: the last ones).',
    input: logRange,
    run: (service, { from, limit = 100 }) =>
      service.logEntries(from ?? Math.max(1, service.status().lastIndex - limit + 1), limit),
    http: { method: 'GET', path: '/api/log', from: 'query' },
  }),
  addNote: operation({
    summary: 'Adds a note; answered once committed, or as pending when no majority answers within 2 s.',
    input: body({ text: noteText }, '{"text":"…"}'),
    run: (service, { text }) => service.running().addNote(text),
    http: { method: 'POST', path: '/api/notes', from: 'body', answer: written('note', 201) },
  }),
  editNote: operation({
    summary: 'Replaces a note\'s text if `version` is still its current version (compare-and-swap).',
    input: body({ id: pathParam, text: noteText, version: noteVersion }, '{"text":"…","version":1}'),
    run: (service, { id, text, version }) => service.running().editNote(id, text, version),
    http: { method: 'PUT', path: '/api/notes/:id', from: 'body', answer: written('note', 200) },
  }),
  deleteNote: operation({
    summary: 'Deletes a note if `version` is still its current version.',
    input: v.object({ id: pathParam, version: noteVersion }),
    run: (service, { id, version }) => service.running().deleteNote(id, version),
    http: { method: 'DELETE', path: '/api/notes/:id', from: 'query-or-body', answer: written('deleted', 200) },
  }),
  dismissConflict: operation({
    summary: 'Forgets a refused request (listed under `conflicts`) the user has seen.',
    input: v.object({ requestId: pathParam }),
    run: async (service, { requestId }) => {
      await service.running().dismissConflict(requestId);
      return { dismissed: requestId };
    },
    http: { method: 'DELETE', path: '/api/conflicts/:requestId', from: 'query' },
  }),
  setIsolated: operation({
    summary: 'Cuts this peer off from all others, or reconnects it (partition demos).',
    input: body({ isolated: v.boolean('Send {"isolated": true} to go offline, {"isolated": false} to reconnect.') }, '{"isolated":true}'),
    run: async (service, { isolated }) => ({ isolated: await service.running().setIsolated(isolated) }),
    http: { method: 'POST', path: '/api/network', from: 'body' },
  }),
  lab: operation({
    summary: 'The demo\'s controls (peers started with --lab): Raft clock, pause and step, a cut from some peers, PreVote and CheckQuorum, a timer set to fire.',
    input: labChange,
    run: (service, change) => service.running().lab(change),
    http: { method: 'POST', path: '/api/lab', from: 'body' },
  }),
  transferLeadership: operation({
    summary: 'Hands leadership to a voting member (this peer must lead) and waits for it to take over.',
    input: body({ to: v.string('Send {"to": "<peer id>"} naming a voting member (GET /api/status lists them).') }, '{"to":"<peer id>"}'),
    run: async (service, { to }) => ({ leaderId: await service.running().transferLeadership(to) }),
    http: { method: 'POST', path: '/api/leadership', from: 'body' },
  }),
  removeMember: operation({
    summary: 'Removes a member from the notebook (this peer must lead) and waits for the change to commit.',
    input: v.object({ id: pathParam }),
    run: async (service, { id }) => {
      await service.running().removeMember(id);
      return { removed: id };
    },
    http: { method: 'DELETE', path: '/api/members/:id', from: 'query' },
  }),
  exportNotes: operation({
    summary: 'The whole document, as Markdown or JSON.',
    input: exportFormat,
    run: (service, { format }): ExportResult => format === 'md'
      ? { format, text: service.exportMarkdown() }
      : { format, document: { notebook: service.status().notebook, exportedAt: new Date().toISOString(), notes: service.notes().notes } },
    http: {
      method: 'GET', path: '/api/export', from: 'query',
      answer: (result) => result.format === 'md'
        ? { status: 200, body: result.text, type: 'text/markdown; charset=utf-8' }
        : { status: 200, body: result.document },
    },
  }),
  openNotebook: operation({
    summary: 'First run only: creates a notebook (`name`), or joins one with an invite code (`invite`).',
    input: openNotebook,
    run: async (service, input) => {
      if ('invite' in input) await service.joinNotebook(input.invite);
      else await service.createNotebook(input.name);
      return { notebook: service.status().notebook };
    },
    http: { method: 'POST', path: '/api/notebook', from: 'body', answer: (result) => ({ status: 201, body: result }) },
  }),
  rejoinNotebook: operation({
    summary: 'A peer removed from its notebook asks its members to add it again.',
    input: none,
    run: (service) => {
      service.rejoinNotebook();
      return { rejoining: true };
    },
    http: { method: 'POST', path: '/api/notebook/rejoin', from: 'query' },
  }),
  leaveNotebook: operation({
    summary: 'A peer removed from its notebook leaves it: its files are put aside, and the peer is back at its first run.',
    input: none,
    run: async (service) => {
      const { id, name } = await service.leaveNotebook();
      return { left: { id, name } };
    },
    http: { method: 'DELETE', path: '/api/notebook', from: 'query' },
  }),
  invite: operation({
    summary: 'The invite code that lets another device join this notebook.',
    input: none,
    run: (service) => ({ invite: service.invite() }),
    http: { method: 'GET', path: '/api/invite', from: 'query' },
  }),
} as const;

/** OperationName names an operation of the table. */
export type OperationName = keyof typeof OPERATIONS;

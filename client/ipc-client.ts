// The ClientApi over the desktop app's bridge (`window.raftnotes`, exposed by
// its preload): the same calls as the HTTP client, each an operation of the
// API table, with refusals turned back into ClientErrors. There is no
// connection to lose: the peer runs in the app's own main process.
import type { IpcResult, Note, RaftnotesBridge } from '../core/api/types.ts';
import { ClientError, type ClientApi, type EventHandlers, type ExportFile } from './client-api.ts';
import { NotesMirror } from './notes-mirror.ts';

/** createIpcClient makes a ClientApi that calls the peer through `bridge`. */
export function createIpcClient(bridge: RaftnotesBridge): ClientApi {
  const day = () => new Date().toISOString().slice(0, 10);
  return {
    status: async () => value(await bridge.status({})),
    notes: async () => value(await bridge.notes({})),
    addNote: async (text) => value(await bridge.addNote({ text })),
    editNote: async (id, text, version) => value(await bridge.editNote({ id, text, version })),
    deleteNote: async (id, version) => value(await bridge.deleteNote({ id, version })),
    dismissConflict: async (requestId) => { value(await bridge.dismissConflict({ requestId })); },
    createNotebook: async (name) => notebookOf(value(await bridge.openNotebook({ name }))),
    joinNotebook: async (invite) => notebookOf(value(await bridge.openNotebook({ invite }))),
    rejoinNotebook: async () => { value(await bridge.rejoinNotebook({})); },
    leaveNotebook: async () => { value(await bridge.leaveNotebook({})); },
    invite: async () => value(await bridge.invite({})).invite,
    setIsolated: async (isolated) => value(await bridge.setIsolated({ isolated })).isolated,
    transferLeadership: async (to) => value(await bridge.transferLeadership({ to })).leaderId,
    removeMember: async (id) => { value(await bridge.removeMember({ id })); },
    exportNotes: async (format): Promise<ExportFile> => {
      const result = value(await bridge.exportNotes({ format }));
      return result.format === 'md'
        ? { filename: `raftnotes-${day()}.md`, type: 'text/markdown', text: result.text }
        : { filename: `raftnotes-${day()}.json`, type: 'application/json', text: JSON.stringify(result.document, null, 2) };
    },
    subscribe: (handlers: EventHandlers) => {
      const mirror = new NotesMirror();
      const stop = bridge.subscribe((event) => {
        if (event.event === 'status') handlers.status?.(event.data);
        else if (event.event === 'notes') {
          const notes = mirror.apply(event.data);
          if (notes !== null) handlers.notes?.(notes);
        }
        else if (event.event === 'log') handlers.log?.(event.data);
      });
      handlers.connection?.('open');
      return stop;
    },
  };
}

/** value is an IPC answer's value, or its refusal thrown as a ClientError. */
function value<T>(result: IpcResult<T>): T {
  if (result.ok) return result.value;
  const { code, message, current, leaderId } = result.error;
  throw new ClientError(code, message, 0, { current: (current ?? null) as Note | null, leaderId: leaderId ?? null });
}

function notebookOf(result: { notebook: { id: string; name: string } | null }): { id: string; name: string } {
  if (result.notebook === null) throw new ClientError('no-notebook', 'The peer did not open the notebook; try again.');
  return result.notebook;
}

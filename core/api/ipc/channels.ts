// The IPC channels of the desktop app's bridge: one per operation of the API
// table, and three for the event subscription. Imported by the preload (which
// runs sandboxed and bundles this file alone) and by the main process, so it
// imports nothing; a test holds IPC_OPERATIONS to the operation table.

/** IPC_OPERATIONS names every operation of the table (core/api/operations.ts), in its order. */
export const IPC_OPERATIONS = [
  'status', 'notes', 'log', 'addNote', 'editNote', 'deleteNote', 'dismissConflict', 'setIsolated', 'lab', 'transferLeadership',
  'removeMember', 'exportNotes', 'openNotebook', 'rejoinNotebook', 'leaveNotebook', 'invite',
] as const;

/** IpcOperation is one of IPC_OPERATIONS. */
export type IpcOperation = (typeof IPC_OPERATIONS)[number];

/** operationChannel is the channel operation `name` is invoked on (ipcRenderer.invoke / ipcMain.handle). */
export function operationChannel(name: IpcOperation): string {
  return `raftnotes:call:${name}`;
}

/** SUBSCRIBE_CHANNEL asks the main process for the live events (ipcRenderer.send). */
export const SUBSCRIBE_CHANNEL = 'raftnotes:subscribe';
/** UNSUBSCRIBE_CHANNEL stops them. */
export const UNSUBSCRIBE_CHANNEL = 'raftnotes:unsubscribe';
/** EVENTS_CHANNEL carries each event to the page (webContents.send): an ApiEvent as JSON text, which the preload parses. */
export const EVENTS_CHANNEL = 'raftnotes:event';

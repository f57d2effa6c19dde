// The main process's side of the bridge: each operation's channel is handled
// by the backend (the peer's worker, which runs an IpcAdapter) with the URL of
// the frame that sent the call (the adapter refuses other origins), and each
// page that subscribes gets the live events until it unsubscribes or closes.
import type { IpcMain, WebContents } from 'electron';
import type { IpcResult } from '../../core/api/ipc/bridge-types.ts';
import { EVENTS_CHANNEL, IPC_OPERATIONS, operationChannel, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../../core/api/ipc/channels.ts';

/** BridgeBackend answers the bridge: the PeerHost that relays to an IpcAdapter on the peer's worker thread. */
export interface BridgeBackend {
  invoke(name: string, senderUrl: string, input: unknown): Promise<IpcResult<unknown>>;
  /** subscribe sends each event as JSON text, which the page's preload reads: this thread never parses it. */
  subscribe(senderUrl: string, send: (json: string) => void): (() => void) | null;
}

/** registerBridge serves the bridge's channels on `ipcMain` with `adapter`. */
export function registerBridge(ipcMain: IpcMain, adapter: BridgeBackend): void {
  for (const name of IPC_OPERATIONS) {
    ipcMain.handle(operationChannel(name), (event, input: unknown) => adapter.invoke(name, event.senderFrame?.url ?? '', input));
  }
  const subscriptions = new Map<WebContents, () => void>();
  const stop = (contents: WebContents) => {
    subscriptions.get(contents)?.();
    subscriptions.delete(contents);
  };
  ipcMain.on(SUBSCRIBE_CHANNEL, (event) => {
    const contents = event.sender;
    stop(contents);
    const unsubscribe = adapter.subscribe(event.senderFrame?.url ?? '', (json) => {
      if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, json);
    });
    if (unsubscribe === null) return;
    subscriptions.set(contents, unsubscribe);
    contents.once('destroyed', () => stop(contents));
  });
  ipcMain.on(UNSUBSCRIBE_CHANNEL, (event) => stop(event.sender));
}

// The main process's side of the bridge: each operation's channel is handled
// by the IpcAdapter with the URL of the frame that sent the call (the adapter
// refuses other origins), and each page that subscribes gets the live events
// until it unsubscribes or closes.
import type { IpcMain, WebContents } from 'electron';
import { EVENTS_CHANNEL, IPC_OPERATIONS, operationChannel, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../../core/api/ipc/channels.ts';
import type { IpcAdapter } from '../../core/api/ipc/ipc-adapter.ts';

/** registerBridge serves the bridge's channels on `ipcMain` with `adapter`. */
export function registerBridge(ipcMain: IpcMain, adapter: IpcAdapter): void {
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
    const unsubscribe = adapter.subscribe(event.senderFrame?.url ?? '', (data) => {
      if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, data);
    });
    if (unsubscribe === null) return;
    subscriptions.set(contents, unsubscribe);
    contents.once('destroyed', () => stop(contents));
  });
  ipcMain.on(UNSUBSCRIBE_CHANNEL, (event) => stop(event.sender));
}

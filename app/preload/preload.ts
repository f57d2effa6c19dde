// The desktop app's preload: it runs sandboxed, before the page, and exposes
// `window.raftnotes` (a RaftnotesBridge) with contextBridge: one function per
// operation of the API table and one event subscription, nothing else (the
// page never sees ipcRenderer). Bundled into one CommonJS file
// (dist/app/preload.cjs) with the channel names, its only import of ours.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENTS_CHANNEL, IPC_OPERATIONS, operationChannel, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../../core/api/ipc/channels.ts';

const bridge: Record<string, unknown> = {};
for (const name of IPC_OPERATIONS) {
  bridge[name] = (input: unknown) => ipcRenderer.invoke(operationChannel(name), input);
}
bridge['subscribe'] = (listener: (event: unknown) => void) => {
  if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
  // The main thread passes each event on as the JSON text the peer's worker made; it is read here, in the page's process.
  const forward = (_event: IpcRendererEvent, json: string) => listener(JSON.parse(json));
  ipcRenderer.on(EVENTS_CHANNEL, forward);
  ipcRenderer.send(SUBSCRIBE_CHANNEL);
  return () => {
    ipcRenderer.off(EVENTS_CHANNEL, forward);
    ipcRenderer.send(UNSUBSCRIBE_CHANNEL);
  };
};

contextBridge.exposeInMainWorld('raftnotes', bridge);

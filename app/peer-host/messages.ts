// The messages between the desktop app's main thread and the worker thread
// that runs its peer (peer-worker.ts). The main thread only relays: every
// call, subscription and setting goes to the worker, so the peer's work
// (fsync, applying, snapshots, encoding) never holds up the window. Events
// cross as JSON text, made on the worker: the main thread hands the text on
// to the page without reading it (a `notes` event is the whole document, too
// big to copy object by object on the thread that draws the window), and
// gets a small summary of its own for the menu and the badge.
import type { IpcResult } from '../../core/api/ipc/bridge-types.ts';

/** PeerSummary is what the main process shows of the peer itself: the menu's state and the badge. */
export interface PeerSummary {
  hasNotebook: boolean;
  offline: boolean;
  /** Notes written here and not committed yet. */
  pending: number;
}

/** PeerWorkerData is what the worker is started with. */
export interface PeerWorkerData {
  dataDir: string;
  /** This peer's display name; default: the one its data directory keeps, else the host name. */
  name?: string;
  /** The origin of the app's pages: the only sender the bridge serves. */
  origin: string;
}

/** ToWorker is a message from the main thread. */
export type ToWorker =
  | { type: 'invoke'; id: number; name: string; senderUrl: string; input: unknown }
  | { type: 'subscribe'; id: number; senderUrl: string }
  | { type: 'unsubscribe'; id: number }
  | { type: 'local-api'; on: boolean }
  | { type: 'follow-summary' }
  | { type: 'stop' };

/** FromWorker is a message from the worker. */
export type FromWorker =
  | { type: 'ready'; peerId: string }
  | { type: 'start-failed'; message: string }
  | { type: 'result'; id: number; result: IpcResult<unknown> }
  | { type: 'event'; id: number; json: string }
  | { type: 'summary'; summary: PeerSummary }
  /** The local API's URL; null when off, or when it did not start (`error` says why, in words for the user). */
  | { type: 'local-api'; url: string | null; error?: string }
  | { type: 'fatal'; message: string }
  | { type: 'stopped' };

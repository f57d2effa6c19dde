// What the desktop app's preload exposes as `window.raftnotes`: one function
// per operation of the API table, taking the operation's input and answering
// its result as data (Electron keeps only the message of an error thrown
// across IPC, so refusals travel as `{ ok: false, error }`), and one event
// subscription. Types only: the renderer's IPC client imports them through
// core/api/types.ts.
import type { OperationInput, OperationResult } from '../call.ts';
import type { ApiEvent } from '../events.ts';
import type { IpcOperation } from './channels.ts';

/** IpcError is a refusal as it crosses IPC: the API's code and message, and the extra fields a refusal may carry. */
export interface IpcError {
  code: string;
  message: string;
  /** A conflict's note as it stands now. */
  current?: unknown;
  /** The leader to ask, when this peer is not it. */
  leaderId?: string | null;
}

/** IpcResult is an operation's answer over IPC. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** RaftnotesBridge is `window.raftnotes` in the desktop app. */
export type RaftnotesBridge = {
  [N in IpcOperation]: (input: OperationInput<N>) => Promise<IpcResult<OperationResult<N>>>;
} & {
  /** subscribe receives the live events until the returned function is called; the current status and notes come first. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
};

// IpcAdapter is the API's second adapter (the first is HTTP): the desktop
// app's main process hands it each call that arrives over IPC, with the URL
// of the frame that sent it. It refuses frames of any other origin than the
// app's own (a page that navigated elsewhere, an embedded frame), checks the
// input with the operation's schema and runs it (callOperation), and answers
// refusals as data. Electron-free: the main process only wires ipcMain to it
// (app/main/ipc-bridge.ts), so it is tested in Node against a real peer.
import { ServiceError, UNEXPECTED_ERROR_MESSAGE } from '../../service/errors.ts';
import { createLogger, type Logger } from '../../service/logger.ts';
import type { NotesService } from '../../service/notes-service.ts';
import { callOperation } from '../call.ts';
import { eventFeed, type ApiEvent, type EventFeed } from '../events.ts';
import type { IpcError, IpcResult } from './bridge-types.ts';
import { IPC_OPERATIONS, type IpcOperation } from './channels.ts';

/** IpcAdapterInit says whom the adapter serves. */
export interface IpcAdapterInit {
  service: NotesService;
  /** The origin of the app's pages, e.g. `app://raftnotes`: frames of any other origin are refused. */
  origin: string;
  log?: Logger;
}

/** IpcAdapter answers the calls and subscriptions of the app's pages. */
export class IpcAdapter {
  private readonly init: IpcAdapterInit;
  private readonly feed: EventFeed;
  private readonly log: Logger;

  constructor(init: IpcAdapterInit) {
    this.init = init;
    this.feed = eventFeed(init.service);
    this.log = init.log ?? createLogger('ipc');
  }

  /** invoke runs operation `name` with `input` for the frame at `senderUrl`, and answers the result or the refusal as data. */
  async invoke(name: string, senderUrl: string, input: unknown): Promise<IpcResult<unknown>> {
    const refused = this.refusal(senderUrl);
    if (refused !== null) return { ok: false, error: refused };
    if (!(IPC_OPERATIONS as readonly string[]).includes(name)) {
      return { ok: false, error: { code: 'not-found', message: `There is no operation ${JSON.stringify(name)}.` } };
    }
    try {
      return { ok: true, value: await callOperation(this.init.service, name as IpcOperation, input) };
    } catch (error) {
      if (error instanceof ServiceError) return { ok: false, error: { code: error.code, message: error.message, ...error.extra } };
      this.log.error(`${name} failed`, error);
      return { ok: false, error: { code: 'internal', message: UNEXPECTED_ERROR_MESSAGE } };
    }
  }

  /**
   * subscribe sends the live events to the frame at `senderUrl` until the
   * returned function is called; a frame of another origin gets nothing (and
   * null back).
   */
  subscribe(senderUrl: string, send: (event: ApiEvent) => void): (() => void) | null {
    if (this.refusal(senderUrl) !== null) {
      this.log.warn(`event subscription from ${senderUrl} refused: not the app's own page`);
      return null;
    }
    return this.feed(send);
  }

  /** refusal says why a frame at `senderUrl` may not use the bridge, or null when it is one of the app's own pages. */
  private refusal(senderUrl: string): IpcError | null {
    // URL's `origin` is "null" for schemes it does not know, such as app:, so scheme and host are compared.
    const own = new URL(this.init.origin);
    const sender = URL.canParse(senderUrl) ? new URL(senderUrl) : null;
    if (sender !== null && sender.protocol === own.protocol && sender.host === own.host) return null;
    const from = sender === null ? JSON.stringify(senderUrl) : `${sender.protocol}//${sender.host}`;
    return { code: 'forbidden-origin', message: `Pages from ${from} may not use Raftnotes.` };
  }
}

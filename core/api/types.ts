// The API's types for its clients (the web pages, the desktop app's
// renderer): the one file of core/ the renderer imports. Types, and two
// constants of the contract (the note size limit and the member roles), from
// modules that import nothing at run time.
export type {
  Conflict, LogLine, Member, MemberRole, Note, NotesChange, NotesSnapshot, PeerStatus, PendingRequest, WriteResult,
} from '../service/views.ts';
export type { LogEntryView, LogPage } from '../service/log-view.ts';
export type { ApiEvent } from './events.ts';
export type { LabSettings, TraceBatch, TraceMessage } from '../service/raft-trace.ts';
export type { ServiceErrorCode } from '../service/errors.ts';
export { MEMBER_ROLES } from '../service/views.ts';
export { MAX_TEXT_BYTES } from '../notes/limits.ts';
export type { IpcError, IpcResult, RaftnotesBridge } from './ipc/bridge-types.ts';

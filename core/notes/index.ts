// The notes document: the replicated state machine of a notebook.
export { NotesDocument, noteId, noteIndex, imageParts, partJson, MAX_CHANGES } from './notes-document.ts';
export { noteRows, readRows, type NoteRows } from './note-table.ts';
export type { ApplyResult, CertainRefusal, Changes, Note, SnapshotImage } from './notes-document.ts';
export { decodeCommand, encodeCommand, textError, InvalidCommandError, MAX_TEXT_BYTES } from './command.ts';
export type { Command, NoteOp } from './command.ts';
export { Sessions, MAX_SESSIONS, MAX_GAP } from './sessions.ts';

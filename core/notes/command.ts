// Command is one operation on the notes document, as it travels in a Raft
// `command` entry: UTF-8 JSON, checked field by field when decoded.
//
//   {"client":"<peer or app id>","seq":12,"author":"Ada","at":1764500000000,
//    "op":"add","text":"…"}
//   {"client":…,"seq":…,"author":…,"at":…,"op":"edit","id":"n7","version":2,"text":"…"}
//   {"client":…,"seq":…,"author":…,"at":…,"op":"delete","id":"n7","version":3}
//
// (client, seq) names the request for exactly-once application (Raft
// dissertation §6.3); `at` is the proposer's clock, so applying stays deterministic.

import { MAX_TEXT_BYTES } from './limits.ts';

export { MAX_TEXT_BYTES };
const MAX_NAME_LENGTH = 200;

/** NoteOp is what a command does to the document. */
export type NoteOp =
  | { op: 'add'; text: string }
  | { op: 'edit'; id: string; version: number; text: string }
  | { op: 'delete'; id: string; version: number };

/** Command is a NoteOp with the request identity and its author. */
export type Command = NoteOp & {
  /** The requesting client: one per data directory. */
  client: string;
  /** The client's request number, from 1. */
  seq: number;
  /** The display name of the author. */
  author: string;
  /** The proposer's wall clock, in ms since the epoch. */
  at: number;
};

/** InvalidCommandError says a command is malformed; its message says which field. */
export class InvalidCommandError extends Error {
  static override name = 'InvalidCommandError';
  override name = 'InvalidCommandError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** textError says what is wrong with a note's text, or null when it is acceptable. */
export function textError(text: unknown): string | null {
  if (typeof text !== 'string') return 'text must be a string';
  if (text.length === 0) return 'text must not be empty';
  if (encoder.encode(text).byteLength > MAX_TEXT_BYTES) return `text must be at most ${MAX_TEXT_BYTES} bytes of UTF-8`;
  return null;
}

/** encodeCommand is the entry data that carries `command`. */
export function encodeCommand(command: Command): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** decodeCommand reads entry data back; it throws InvalidCommandError on anything malformed. */
export function decodeCommand(data: Uint8Array): Command {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    throw new InvalidCommandError('command is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null) throw new InvalidCommandError('command is not an object');
  const v = value as Record<string, unknown>;
  const client = str(v, 'client', MAX_NAME_LENGTH);
  const seq = int(v, 'seq', 1);
  const author = str(v, 'author', MAX_NAME_LENGTH, true);
  const at = int(v, 'at', 0);
  const base = { client, seq, author, at };
  switch (v['op']) {
    case 'add':
      return { ...base, op: 'add', text: text(v) };
    case 'edit':
      return { ...base, op: 'edit', id: str(v, 'id', MAX_NAME_LENGTH), version: int(v, 'version', 1), text: text(v) };
    case 'delete':
      return { ...base, op: 'delete', id: str(v, 'id', MAX_NAME_LENGTH), version: int(v, 'version', 1) };
    default:
      throw new InvalidCommandError('op must be add, edit or delete');
  }
}

function str(v: Record<string, unknown>, key: string, max: number, allowEmpty = false): string {
  const s = v[key];
  if (typeof s !== 'string' || (!allowEmpty && s.length === 0) || s.length > max) {
    throw new InvalidCommandError(`${key} must be a string of ${allowEmpty ? 0 : 1} to ${max} characters`);
  }
  return s;
}

function int(v: Record<string, unknown>, key: string, min: number): number {
  const n = v[key];
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new InvalidCommandError(`${key} must be an integer of at least ${min}`);
  }
  return n;
}

function text(v: Record<string, unknown>): string {
  const problem = textError(v['text']);
  if (problem !== null) throw new InvalidCommandError(problem);
  return v['text'] as string;
}

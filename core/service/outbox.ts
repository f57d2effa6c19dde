// Outbox holds what the user submitted until it is committed: each request is
// written here durably before it is proposed, proposed again with the same
// request number until a leader commits it, and removed once applied.
//
// File `<data>/outbox.json` (replaced atomically):
//   {"format":1,"nextSeq":13,"pending":[{"seq":12,"op":{…NoteOp},"author":"Ada","createdAt":1764500000000}],
//    "rejected":[{…PendingRequest,"error":"conflict","current":{…Note}}]}
// A request refused by the document after the user was told it is pending
// (an edit of a version someone else changed meanwhile) moves to `rejected`
// until the user dismisses it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Note, NoteOp } from '../notes/index.ts';
import { decodeCommand, encodeCommand } from '../notes/index.ts';
import { writeFileDurably } from './durable-file.ts';

/** OUTBOX_FILE is the outbox's file name in the data directory. */
export const OUTBOX_FILE = 'outbox.json';
const FORMAT = 1;

/** PendingRequest is one request waiting to be committed. */
export interface PendingRequest {
  seq: number;
  op: NoteOp;
  author: string;
  /** When the user submitted it (ms since the epoch); also the command's `at`. */
  createdAt: number;
}

/** RejectedRequest is a request the document refused after it was answered as pending: kept to show the user. */
export interface RejectedRequest extends PendingRequest {
  error: 'conflict' | 'not-found';
  /** The note as it stood when the request was refused (conflict only). */
  current?: Note;
}

/** OutboxFileError says the outbox file cannot be read; its message says what to do. */
export class OutboxFileError extends Error {
  static override name = 'OutboxFileError';
  override name = 'OutboxFileError';
}

/** Outbox is the durable list of pending requests of this peer's client. */
export class Outbox {
  private readonly path: string;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly rejectedList = new Map<number, RejectedRequest>();
  /** Requests whose write is not durable yet. */
  private readonly unflushed = new Set<number>();
  private nextSeq = 1;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(path: string) {
    this.path = path;
  }

  /** open reads the outbox of a data directory (empty when there is none). */
  static async open(dataDir: string): Promise<Outbox> {
    const outbox = new Outbox(join(dataDir, OUTBOX_FILE));
    let text: string;
    try {
      text = await readFile(outbox.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return outbox;
      throw error;
    }
    outbox.parse(text);
    return outbox;
  }

  /** list is the pending requests already durable, oldest first: only these may be proposed. */
  list(): PendingRequest[] {
    return [...this.pending.values()].filter((r) => !this.unflushed.has(r.seq));
  }

  get size(): number {
    return this.pending.size;
  }

  has(seq: number): boolean {
    return this.pending.has(seq);
  }

  /** add stores a new request durably and returns it. */
  async add(op: NoteOp, author: string, createdAt: number): Promise<PendingRequest> {
    const request: PendingRequest = { seq: this.nextSeq++, op, author, createdAt };
    this.pending.set(request.seq, request);
    this.unflushed.add(request.seq);
    try {
      await this.flush();
    } catch (error) {
      this.pending.delete(request.seq);
      throw error;
    } finally {
      this.unflushed.delete(request.seq);
    }
    return request;
  }

  /** remove forgets an applied request; losing this write to a crash only means one more (deduplicated) proposal. */
  remove(seq: number): void {
    if (this.pending.delete(seq)) void this.flush().catch((error) => console.error('outbox: write failed', error));
  }

  /** reject moves a pending request to the rejected list, with why and the note as it stands. */
  reject(seq: number, error: RejectedRequest['error'], current?: Note): void {
    const request = this.pending.get(seq);
    if (request === undefined) return;
    this.pending.delete(seq);
    this.rejectedList.set(seq, { ...request, error, ...(current !== undefined ? { current } : {}) });
    void this.flush().catch((e) => console.error('outbox: write failed', e));
  }

  /** rejected lists the refused requests, oldest first. */
  rejected(): RejectedRequest[] {
    return [...this.rejectedList.values()];
  }

  /** dismiss forgets a rejected request; false when there is none with that number. */
  async dismiss(seq: number): Promise<boolean> {
    if (!this.rejectedList.delete(seq)) return false;
    await this.flush();
    return true;
  }

  /** skipTo makes sure request numbers already applied are never used again. */
  skipTo(lastApplied: number): void {
    if (lastApplied >= this.nextSeq) this.nextSeq = lastApplied + 1;
  }

  /** command is the entry data that proposes `request` for `client`. */
  static command(client: string, request: PendingRequest): Uint8Array {
    return encodeCommand({ ...request.op, client, seq: request.seq, author: request.author, at: request.createdAt });
  }

  /** flush writes the outbox; writes requested while one is under way are joined into the next. */
  private flush(): Promise<void> {
    if (this.dirty) return this.writing;
    this.dirty = true;
    this.writing = this.writing.catch(() => {}).then(() => {
      this.dirty = false;
      const body = { format: FORMAT, nextSeq: this.nextSeq, pending: [...this.pending.values()], rejected: this.rejected() };
      return writeFileDurably(this.path, JSON.stringify(body));
    });
    return this.writing;
  }

  private parse(text: string): void {
    const fail = (why: string) => new OutboxFileError(
      `${this.path}: ${why}. The notes you wrote while offline may be in it; move it aside (keep a copy) and start again.`);
    let body: { format?: unknown; nextSeq?: unknown; pending?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw fail('the file is not valid JSON');
    }
    if (body?.format !== FORMAT) throw fail(`format ${String(body?.format)} is not ${FORMAT}`);
    if (!Number.isSafeInteger(body.nextSeq) || (body.nextSeq as number) < 1 || !Array.isArray(body.pending)) throw fail('the file is damaged');
    this.nextSeq = body.nextSeq as number;
    for (const p of body.pending as PendingRequest[]) {
      try {
        // Reuse the command checks on each stored request.
        const cmd = decodeCommand(Outbox.command('check', p));
        if (cmd.seq >= this.nextSeq) throw new Error('request number beyond nextSeq');
      } catch (error) {
        throw fail(`a pending request is damaged (${(error as Error).message})`);
      }
      this.pending.set(p.seq, { seq: p.seq, op: p.op, author: p.author, createdAt: p.createdAt });
    }
    const rejected = (body as { rejected?: unknown }).rejected ?? [];
    if (!Array.isArray(rejected)) throw fail('the rejected list is damaged');
    for (const r of rejected as RejectedRequest[]) {
      if (!Number.isSafeInteger(r?.seq) || (r.error !== 'conflict' && r.error !== 'not-found')) throw fail('a rejected request is damaged');
      this.rejectedList.set(r.seq, r);
    }
  }
}

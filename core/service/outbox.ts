// Outbox holds what the user submitted until it is committed: each request is
// kept here from the moment it is submitted, proposed again with the same
// request number until a leader commits it, and removed once applied.
//
// File `<data>/outbox.log`, a journal of UTF-8 JSON lines, appended:
//   {"v":1,"nextSeq":13}                                  first line: format and next request number
//   {"reserve":1037}                                     request numbers below 1037 may be in use
//   {"add":{"seq":12,"op":{…NoteOp},"author":"Ada","createdAt":1764500000000}}
//   {"remove":12}                                        applied
//   {"reject":{…OutboxRequest,"error":"conflict","current":{…Note}}}
//   {"dismiss":12}                                       the user saw the rejection
//
// Durability follows what the user was told. A request answered 201 was
// committed on a majority's disks: its lines never needed to be durable, so an
// add is buffered, proposed at once, and written (with one fdatasync) only
// within FLUSH_MS, or at once when someone waits for it: before the API
// answers 202 "pending" (whenDurable), which promises the request is kept
// across restarts. An add applied while still in the buffer is dropped with
// its removal, so a peer answering 201s writes almost nothing here. Rejections
// and dismissals are durable before they resolve. A removal lost to a crash
// only means one more proposal, which the document's sessions apply once; an
// add lost to a crash was never answered.
//
// Request numbers are never reused, even after a crash lost the adds: they
// are reserved RESERVE_BLOCK at a time by a durable "reserve" line (the last
// one read wins, so close() writes the exact next number), at the price of a
// gap of at most RESERVE_BLOCK numbers after a crash. When the journal holds
// far more lines than live requests it is rewritten (temporary file, fsync,
// rename, fsync of the directory).
//
// A request refused by the document after the user was told it is pending (an
// edit of a version someone else changed meanwhile) is kept as rejected until
// the user dismisses it.
//
// Why a journal and buffered adds (what a file per change and a sync per add
// cost): bench/results/design.md.
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileDurably } from '../storage/index.ts';
import type { Note, NoteOp } from '../notes/index.ts';
import { decodeCommand, encodeCommand } from '../notes/index.ts';
import { createLogger, type Logger } from './logger.ts';

/** OUTBOX_FILE is the outbox's file name in the data directory. */
export const OUTBOX_FILE = 'outbox.log';
const FORMAT = 1;
/** The journal is rewritten once it has this many lines more than live requests. */
const REWRITE_SLACK = 1_000;
/** How many request numbers one durable "reserve" line sets aside. */
const RESERVE_BLOCK = 1_024;
/** Buffered lines are written (and synced) at the latest this long after the first of them. */
const FLUSH_MS = 1_000;

/** OutboxRequest is one request waiting to be committed. */
export interface OutboxRequest {
  seq: number;
  op: NoteOp;
  author: string;
  /** When the user submitted it (ms since the epoch); also the command's `at`. */
  createdAt: number;
}

/** RejectedRequest is a request the document refused after it was answered as pending: kept to show the user. */
export interface RejectedRequest extends OutboxRequest {
  error: 'conflict' | 'not-found';
  /** The note as it stood when the request was refused (conflict only). */
  current?: Note;
}

/** OutboxFileError says the outbox file cannot be read; its message says what to do. */
export class OutboxFileError extends Error {
  static override name = 'OutboxFileError';
  override name = 'OutboxFileError';
}

type Line =
  | { v: number; nextSeq: number }
  | { reserve: number }
  | { add: OutboxRequest }
  | { remove: number }
  | { reject: RejectedRequest }
  | { dismiss: number };

/** Outbox is the durable list of pending requests of this peer's client. */
export class Outbox {
  private readonly path: string;
  private fd = -1;
  private readonly pending = new Map<number, OutboxRequest>();
  private readonly rejectedList = new Map<number, RejectedRequest>();
  private nextSeq = 1;
  /** Invariant: every request number used so far is below `reserved`, and the file says so durably. */
  private reserved = 1;
  private lines = 0;
  /** Lines appended since the last sync (null: an add dropped with its removal), and who waits for that sync. */
  private buffer: Array<Line | null> = [];
  /** Where in `buffer` the add of each request not yet written sits: exactly the pending requests not yet durable. */
  private readonly bufferedAdds = new Map<number, number>();
  private waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private syncScheduled = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;

  private readonly log: Logger;

  private constructor(path: string, log: Logger) {
    this.path = path;
    this.log = log;
  }

  /** open reads the outbox of a data directory (empty when there is none). */
  static async open(dataDir: string, log: Logger = createLogger('outbox')): Promise<Outbox> {
    const outbox = new Outbox(join(dataDir, OUTBOX_FILE), log);
    let text: string | null = null;
    try {
      text = readFileSync(outbox.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== null) outbox.replay(text);
    outbox.reserved = outbox.nextSeq;
    outbox.rewrite();
    return outbox;
  }

  /** failed is the error that stopped this outbox from writing its file (a full disk), or null. */
  get failed(): Error | null {
    return this.failure;
  }

  /** list is the pending requests, oldest first (durable or not: a request may be proposed before it is durable). */
  list(): OutboxRequest[] {
    return [...this.pending.values()];
  }

  /** add keeps a new request and returns it; it is durable once whenDurable resolves. */
  async add(op: NoteOp, author: string, createdAt: number): Promise<OutboxRequest> {
    const request: OutboxRequest = { seq: this.nextSeq++, op, author, createdAt };
    if (request.seq >= this.reserved) {
      // A crash must not let this number be used again: reserve a block durably first.
      const reserve = request.seq + RESERVE_BLOCK;
      await this.append({ reserve }, true);
      this.reserved = Math.max(this.reserved, reserve);
    }
    this.pending.set(request.seq, request);
    this.append({ add: request }, false).catch(() => {});
    return request;
  }

  /**
   * whenDurable resolves once request `seq` is kept across restarts (its add
   * synced), or at once when it is no longer pending (applied, rejected).
   */
  whenDurable(seq: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (!this.pending.has(seq) || !this.bufferedAdds.has(seq)) return Promise.resolve();
    this.scheduleSync();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** remove forgets an applied request; losing this line to a crash only means one more (deduplicated) proposal. */
  remove(seq: number): void {
    if (!this.pending.delete(seq)) return;
    const at = this.bufferedAdds.get(seq);
    if (at !== undefined) {
      // Never written: drop the add instead of writing it and its removal.
      this.buffer[at] = null;
      this.bufferedAdds.delete(seq);
      return;
    }
    void this.append({ remove: seq }, false).catch(() => {});
  }

  /** reject moves a pending request to the rejected list, with why and the note as it stands. */
  reject(seq: number, error: RejectedRequest['error'], current?: Note): void {
    const request = this.pending.get(seq);
    if (request === undefined) return;
    this.pending.delete(seq);
    this.bufferedAdds.delete(seq); // its add stays in the buffer; the reject line after it replaces it on replay
    const rejected: RejectedRequest = { ...request, error, ...(current !== undefined ? { current } : {}) };
    this.rejectedList.set(seq, rejected);
    void this.append({ reject: rejected }, true).catch(() => {});
  }

  /** rejected lists the refused requests, oldest first. */
  rejected(): RejectedRequest[] {
    return [...this.rejectedList.values()];
  }

  /** dismiss forgets a rejected request; false when there is none with that number. */
  async dismiss(seq: number): Promise<boolean> {
    if (!this.rejectedList.delete(seq)) return false;
    await this.append({ dismiss: seq }, true);
    return true;
  }

  /** skipTo makes sure request numbers already applied are never used again. */
  skipTo(lastApplied: number): void {
    if (lastApplied >= this.nextSeq) this.nextSeq = lastApplied + 1;
  }

  /** close writes and syncs what is buffered, with the exact next request number, and closes the file. */
  async close(): Promise<void> {
    if (this.fd < 0) return;
    if (this.failure === null) {
      // Every number in use is below nextSeq now: the next start needs no gap.
      this.buffer.push({ reserve: this.nextSeq });
      this.sync();
    }
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** command is the entry data that proposes `request` for `client`. */
  static command(client: string, request: OutboxRequest): Uint8Array {
    return encodeCommand({ ...request.op, client, seq: request.seq, author: request.author, at: request.createdAt });
  }

  /** append adds a line; with `durable`, it resolves once the line is synced, else it is written within FLUSH_MS. */
  private append(line: Line, durable: boolean): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if ('add' in line) this.bufferedAdds.set(line.add.seq, this.buffer.length);
    this.buffer.push(line);
    if (!durable) {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        this.sync();
      }, FLUSH_MS).unref();
      return Promise.resolve();
    }
    this.scheduleSync();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** scheduleSync syncs in the next turn of the event loop, so the appends of one turn share one fdatasync. */
  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    setImmediate(() => this.sync());
  }

  /** sync writes the buffered lines with one fdatasync and answers whoever waits. */
  private sync(): void {
    this.syncScheduled = false;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const lines = this.buffer.filter((l): l is Line => l !== null);
    const waiting = this.waiting;
    this.buffer = [];
    this.waiting = [];
    this.bufferedAdds.clear();
    try {
      if (this.failure !== null) throw this.failure;
      if (lines.length > 0) {
        const bytes = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
        for (let off = 0; off < bytes.byteLength;) off += writeSync(this.fd, bytes, off);
        fdatasyncSync(this.fd);
        this.lines += lines.length;
      }
    } catch (error) {
      this.failure ??= new OutboxFileError(`cannot write ${this.path}: ${(error as Error).message}. Free some disk space and restart; what you wrote before is kept.`);
      for (const w of waiting) w.reject(this.failure);
      return;
    }
    for (const w of waiting) w.resolve();
    if (this.lines > this.pending.size + this.rejectedList.size + REWRITE_SLACK) {
      try {
        this.rewrite();
      } catch (error) {
        this.log.warn(`could not rewrite ${this.path} (${(error as Error).message}); appending to it still`);
      }
    }
  }

  /**
   * rewrite replaces the journal with one line per live request. It is
   * synchronous, so no append can land in the file being replaced; it runs
   * only when nothing is buffered.
   */
  private rewrite(): void {
    const lines: Line[] = [{ v: FORMAT, nextSeq: this.reserved }];
    for (const r of this.pending.values()) lines.push({ add: r });
    for (const r of this.rejectedList.values()) lines.push({ reject: r });
    writeFileDurably(dirname(this.path), basename(this.path), [Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''))], 0o600);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.lines = lines.length;
  }

  private replay(text: string): void {
    const fail = (line: number, why: string) => new OutboxFileError(
      `${this.path}, line ${line}: ${why}. The notes you wrote while offline may be in it; move it aside (keep a copy) and start again.`);
    const rows = text.split('\n');
    const complete = rows.slice(0, -1); // a last line without its newline was torn by a crash
    if (complete.length === 0) throw fail(1, 'the file is damaged');
    if (rows[rows.length - 1]!.length > 0) {
      this.log.warn(`${this.path}: dropped a torn last line (a write a crash interrupted, never acknowledged)`);
    }
    complete.forEach((row, i) => {
      let line: Partial<Record<string, unknown>>;
      try {
        line = JSON.parse(row) as Partial<Record<string, unknown>>;
      } catch {
        throw fail(i + 1, 'the line is not valid JSON');
      }
      if (i === 0) {
        if (line['v'] !== FORMAT || !Number.isSafeInteger(line['nextSeq'])) throw fail(1, `format ${String(line['v'])} is not ${FORMAT}`);
        this.nextSeq = line['nextSeq'] as number;
      } else if (typeof line['reserve'] === 'number' && Number.isSafeInteger(line['reserve'])) {
        // The last reservation wins: close() ends the journal with the exact next number.
        this.nextSeq = line['reserve'];
      } else if (line['add'] !== undefined) {
        const r = line['add'] as OutboxRequest;
        try {
          decodeCommand(Outbox.command('check', r));
        } catch (error) {
          throw fail(i + 1, `a pending request is damaged (${(error as Error).message})`);
        }
        this.pending.set(r.seq, { seq: r.seq, op: r.op, author: r.author, createdAt: r.createdAt });
        if (r.seq >= this.nextSeq) this.nextSeq = r.seq + 1;
      } else if (typeof line['remove'] === 'number') {
        this.pending.delete(line['remove']);
      } else if (line['reject'] !== undefined) {
        const r = line['reject'] as RejectedRequest;
        if (!Number.isSafeInteger(r?.seq) || (r.error !== 'conflict' && r.error !== 'not-found')) throw fail(i + 1, 'a rejected request is damaged');
        this.pending.delete(r.seq);
        this.rejectedList.set(r.seq, r);
      } else if (typeof line['dismiss'] === 'number') {
        this.rejectedList.delete(line['dismiss']);
      } else {
        throw fail(i + 1, 'the line is not an outbox record');
      }
    });
  }
}

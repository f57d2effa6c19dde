// Real durable storage for the simulation: every node of a SimCluster created
// with `disk` also writes each Ready to a DiskStorage in a temporary directory
// of its own, and a restart reopens that directory and starts the node from what
// load() returns, after checking that it is exactly what the node had saved.
//
// How the synchronous simulation meets the asynchronous DiskStorage. The Ready
// loop stays synchronous: it writes each Ready to the node's MemoryStorage (the
// model the invariant checks read) and hands the same batch to DiskStorage.save,
// which applies saves in the order they are called. Nothing reads the directory
// until the node restarts, and a restart is the one async step
// (SimCluster.restartAsync): it first waits for every save issued before the
// crash. So the directory a restart reads holds exactly what the node persisted
// before it crashed, as if each save had been durable before the Ready's
// messages left, which is the order the driver contract asks for. An async
// driver also awaits settle() after every tick (the sweep does), so the
// fdatasyncs and the background preallocation of the next segment run in step
// with the ticks, and a failed save is reported with the tick that issued it.
//
// How a crash is modelled: the node's RaftNode and state machine are thrown
// away and its DiskStorage is closed. Dropping it without close() is not sound
// within one process: DiskStorage registers its directory as open in this
// process (opening it again throws StorageLockedError until close()) and keeps
// the segment's fd open. Closing is equivalent to a crash between two saves,
// since every resolved save is durable and close() adds nothing to the log; the
// differences are that the LOCK file is removed rather than left with a dead
// pid, and a background zero-fill of the next segment is finished (and kept)
// rather than left as prealloc.tmp for open() to delete.
// Crashes inside a save (torn writes, lost unsynced data) are core/storage's
// crash tests; here the question is whether Raft stays safe when every restart
// goes through the real on-disk format, its recovery, segment rollover and the
// removal of segments and snapshots after compaction.

import fs from 'node:fs';
import path from 'node:path';
import type { Entry, NodeId, Snapshot } from '../../core/raft/index.ts';
import { DiskStorage, type DiskStorageInit } from '../../core/storage/disk-storage.ts';
import type { StorageBatch, StorageState } from '../../core/storage/storage.ts';
import { makeTempDir, removeDir } from '../../core/storage/testing/temp-dir.ts';
import type { MemoryStorage } from './mem-storage.ts';
import { StorageError, type SimContext } from './sim-error.ts';

/** SimDiskInit configures the DiskStorages of a simulated cluster. */
export interface SimDiskInit {
  /** Bytes per log segment (default 64 KiB, so a run crosses many segments). */
  segmentBytes?: number;
}

/** SimDiskStats counts what the cluster's DiskStorages did. */
export interface SimDiskStats {
  saves: number;
  /** Saves that carried a snapshot. */
  snapshots: number;
  /** Restarts that reopened a directory and read it back. */
  reopens: number;
  /** Segments begun, over all nodes (each node starts with one). */
  segments: number;
}

const DEFAULT_SEGMENT_BYTES = 64 << 10;

/** SimDisk keeps one DiskStorage directory per simulated node under one temporary root. */
export class SimDisk {
  readonly root: string;
  readonly #init: DiskStorageInit;
  readonly #nodes = new Map<NodeId, NodeDisk>();

  constructor(init: SimDiskInit = {}) {
    this.#init = { segmentBytes: init.segmentBytes ?? DEFAULT_SEGMENT_BYTES };
    this.root = makeTempDir('raftnotes-sim-');
  }

  /** open opens the directory of a new node (DiskStorage creates the log in it). */
  open(id: NodeId, context: () => SimContext): NodeDisk {
    if (this.#nodes.has(id)) throw new Error(`${id} already has a directory`);
    const d = new NodeDisk(id, path.join(this.root, id), this.#init, context);
    this.#nodes.set(id, d);
    return d;
  }

  /** settle waits for every save issued so far and throws the first that failed. */
  async settle(): Promise<void> {
    for (const d of this.#nodes.values()) await d.settle();
  }

  /** stats sums up what every node's storage did. */
  stats(): SimDiskStats {
    const s: SimDiskStats = { saves: 0, snapshots: 0, reopens: 0, segments: 0 };
    for (const d of this.#nodes.values()) {
      s.saves += d.saves;
      s.snapshots += d.snapshots;
      s.reopens += d.reopens;
      s.segments += d.newestSegment();
    }
    return s;
  }

  /**
   * close closes every storage and removes the root directory, also after a
   * failure; then it throws the first failure no settle() or restart reported.
   */
  async close(): Promise<void> {
    let failure: StorageError | null = null;
    try {
      for (const d of this.#nodes.values()) {
        const f = await d.close();
        failure ??= f;
      }
    } finally {
      removeDir(this.root);
    }
    if (failure !== null) throw failure;
  }
}

/** NodeDisk is one node's DiskStorage across its crashes and restarts. */
export class NodeDisk {
  readonly id: NodeId;
  readonly dir: string;
  saves = 0;
  snapshots = 0;
  reopens = 0;
  readonly #init: DiskStorageInit;
  readonly #context: () => SimContext;
  /** The open storage; a new one after every reopen. */
  #storage!: Promise<DiskStorage>;
  /** Settles once every save issued so far has. Invariant: never rejects. */
  #tail: Promise<void> = Promise.resolve();
  /** Settles once a crash has closed the storage; null while it is open. Invariant: never rejects. */
  #closed: Promise<void> | null = null;
  /** The first failure (a warning counts: a clean close leaves recovery nothing to cut off), until it is thrown. */
  #failure: StorageError | null = null;

  constructor(id: NodeId, dir: string, init: DiskStorageInit, context: () => SimContext) {
    this.id = id;
    this.dir = dir;
    this.#init = init;
    this.#context = context;
    this.#open();
  }

  #open(): void {
    const at = this.#context();
    const onWarning = (message: string): void => this.#fail(this.#context(), 'DiskStorage warned', message);
    this.#storage = DiskStorage.open(this.dir, { ...this.#init, onWarning });
    this.#storage.catch((err) => this.#fail(at, 'DiskStorage.open failed', err));
  }

  #error(at: SimContext, what: string, err: unknown): StorageError {
    const e = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new StorageError(at, `${this.id}: ${what}: ${e}`, err);
  }

  #fail(at: SimContext, what: string, err: unknown): void {
    this.#failure ??= this.#error(at, what, err);
  }

  /** #takeFailure returns the failure not yet reported, once. */
  #takeFailure(): StorageError | null {
    const f = this.#failure;
    this.#failure = null;
    return f;
  }

  #throwFailure(): void {
    const f = this.#takeFailure();
    if (f !== null) throw f;
  }

  /** save hands one Ready's batch to DiskStorage.save; a failure is thrown by the next settle(), reopen() or close(). */
  save(batch: StorageBatch): void {
    if (this.#closed !== null) throw new Error(`${this.id} saved after its crash`);
    const at = this.#context();
    this.saves++;
    if (batch.snapshot !== null) this.snapshots++;
    const done = this.#storage
      .then((s) => s.save(batch))
      .catch((err) => this.#fail(at, `DiskStorage.save of ${describeBatch(batch)} failed`, err));
    this.#tail = Promise.all([this.#tail, done]).then(() => undefined);
  }

  /** crash closes the storage once the saves already issued have run; nothing is saved after it. */
  crash(): void {
    if (this.#closed !== null) return;
    const at = this.#context();
    const storage = this.#storage;
    this.#closed = this.#tail
      .then(() => storage)
      .then((s) => s.close())
      .catch((err) => this.#fail(at, 'DiskStorage.close failed', err));
  }

  /** reopen opens the directory of a crashed node again and returns what load() reads back. */
  async reopen(): Promise<StorageState> {
    if (this.#closed === null) throw new Error(`${this.id} is not crashed`);
    await this.#closed;
    this.#throwFailure();
    this.#open();
    this.#closed = null;
    this.#tail = Promise.resolve();
    let state: StorageState;
    try {
      state = await (await this.#storage).load();
    } catch (err) {
      throw this.#takeFailure() ?? this.#error(this.#context(), 'DiskStorage.load failed', err);
    }
    this.#throwFailure(); // a warning of recovery
    this.reopens++;
    return state;
  }

  /** settle waits for the saves issued so far and throws the first failure. */
  async settle(): Promise<void> {
    await this.#tail;
    if (this.#closed !== null) await this.#closed;
    this.#throwFailure();
  }

  /** close closes the storage if it is open and returns the failure nobody was told of, if any. */
  async close(): Promise<StorageError | null> {
    this.crash();
    await this.#closed;
    return this.#takeFailure();
  }

  /** newestSegment is the sequence number of the newest log segment in the directory (0 when there is none). */
  newestSegment(): number {
    let newest = 0;
    for (const name of fs.readdirSync(this.dir)) {
      const m = /^wal-([0-9a-f]{16})\.log$/.exec(name);
      if (m !== null) newest = Math.max(newest, parseInt(m[1]!, 16));
    }
    return newest;
  }
}

function describeBatch(b: StorageBatch): string {
  const parts: string[] = [];
  if (b.snapshot !== null) parts.push(`snapshot ${b.snapshot.index}/${b.snapshot.term}`);
  if (b.entries.length > 0) parts.push(`entries ${b.entries[0]!.index}..${b.entries[b.entries.length - 1]!.index}`);
  if (b.hardState !== null) parts.push(`hard state ${JSON.stringify(b.hardState)}`);
  return parts.join(', ');
}

/**
 * diffState compares what a node saved (its MemoryStorage) with what its
 * DiskStorage read back, and describes the first difference (null when equal).
 */
export function diffState(saved: MemoryStorage, loaded: StorageState): string | null {
  const hs = saved.hardState;
  const lhs = loaded.hardState;
  if (hs.term !== lhs.term || hs.votedFor !== lhs.votedFor || hs.commitIndex !== lhs.commitIndex) {
    return `hard state ${JSON.stringify(lhs)}, saved ${JSON.stringify(hs)}`;
  }
  const snap = diffSnapshot(saved.snapshot, loaded.snapshot ?? null);
  if (snap !== null) return snap;
  const n = Math.max(saved.entries.length, loaded.entries.length);
  for (let k = 0; k < n; k++) {
    const a = saved.entries[k];
    const b = loaded.entries[k];
    if (a === undefined || b === undefined || !sameEntry(a, b)) {
      return `entry ${k + 1} of ${loaded.entries.length} after the snapshot is ${show(b)}, saved ${show(a)} ` +
        `(${saved.entries.length} saved)`;
    }
  }
  return null;
}

function diffSnapshot(a: Snapshot | null, b: Snapshot | null): string | null {
  if (a === null && b === null) return null;
  const same = a !== null && b !== null && a.index === b.index && a.term === b.term
    && a.membership.voters.join() === b.membership.voters.join()
    && a.membership.learners.join() === b.membership.learners.join()
    && sameBytes(a.data, b.data);
  if (same) return null;
  const s = (x: Snapshot | null): string => x === null ? 'none'
    : `${x.index}/${x.term} ${JSON.stringify(x.membership)} (${x.data.length} bytes)`;
  return `snapshot ${s(b)}, saved ${s(a)}`;
}

function sameEntry(a: Entry, b: Entry): boolean {
  return a.index === b.index && a.term === b.term && a.kind === b.kind && sameBytes(a.data, b.data);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function show(e: Entry | undefined): string {
  return e === undefined ? 'missing' : `${e.index}/${e.term} ${e.kind} ${JSON.stringify(new TextDecoder().decode(e.data))}`;
}

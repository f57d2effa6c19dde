// NotesService is one peer as the command and the app run it: it opens the
// data directory, and either starts the notebook found there or waits, on
// its first run, until the user creates a notebook or joins one with an
// invite code. It builds the running notebook's components for real
// (DiskStorage, the outbox file, a libp2p peer, the system clock) and hands
// on the notebook's events; everything a notebook does is RunningNotebook's.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TypedEventEmitter } from '@libp2p/interface';
import { DiskStorage } from '../storage/index.ts';
import {
  createNotebook, createPeer, Discoverability, InvalidInviteError, loadOrCreatePeerKey, notebookNameProblem, parseInvite, readNotebookFile,
  writeNotebookFile, type Notebook,
} from '../net/index.ts';
import { systemClock } from './clock.ts';
import { MemberNames } from './cluster/member-names.ts';
import {
  DataDirError, ensureDataDir, MEMBER_NAMES_FILE, RAFT_DIR, readMemberNames, readProfile, writeMemberNames, writeProfile, type Profile,
} from './data-dir.ts';
import { ServiceError } from './errors.ts';
import { moveLeftovers, moveNotebookAside } from './left-notebooks.ts';
import type { LogPage } from './log-view.ts';
import { Outbox } from './outbox.ts';
import { RunningNotebook, type NotebookEvents } from './running-notebook.ts';
import type { LogLine, NotesPart, NotesSnapshot, PeerStatus } from './views.ts';

/** NotesServiceInit configures a peer (the flags of `raftnotes serve`). */
export interface NotesServiceInit {
  dataDir: string;
  /** Display name; default: the profile's, else the host name. */
  name?: string;
  listen?: string[];
  peers?: string[];
  mdns?: boolean;
  maxVoters?: number;
  /** Compact the log into a snapshot every this many applied entries. Default 10,000. */
  snapshotEvery?: number;
  /** Milliseconds per Raft tick; default 10. */
  tickMs?: number;
  /** How long a write waits for the commit before it is answered as pending. Default 2,000 ms. */
  commitWaitMs?: number;
  /** Run for the demo (serve --lab): `trace` events and the demo's controls (POST /api/lab). */
  lab?: boolean;
}

/** ServiceEvents are a running notebook's events, handed on. */
export type ServiceEvents = NotebookEvents;

const EMPTY_NOTES: NotesSnapshot = { notes: [], pending: [], conflicts: [], commitIndex: 0 };

/** RECENT_LOG_LINES is how many of its latest log lines a peer keeps, for the pages that open later. */
export const RECENT_LOG_LINES = 50;

/** NotesService runs one peer: its notebook once it has one. */
export class NotesService extends TypedEventEmitter<ServiceEvents> {
  readonly dataDir: string;
  private readonly init: NotesServiceInit;
  private profile: Profile | null = null;
  /** The notebook of the data directory once it has one; running from then on. */
  private notebookValue: RunningNotebook | null = null;
  private stopping = false;
  /** Set while a first-run request creates or joins a notebook. */
  private adopting = false;
  /** The latest RECENT_LOG_LINES lines of the peer's story, oldest first. */
  private readonly recent: LogLine[] = [];

  constructor(init: NotesServiceInit) {
    super();
    this.init = init;
    this.dataDir = init.dataDir;
    this.addEventListener('log', (evt) => {
      this.recent.push(evt.detail);
      if (this.recent.length > RECENT_LOG_LINES) this.recent.shift();
    });
  }

  /** recentLog is the latest lines of the peer's story (elections, joins, partitions), from its start on. */
  recentLog(): LogLine[] {
    return [...this.recent];
  }

  /** id is this peer's id ('' until it has a notebook). */
  get id(): string {
    return this.notebookValue?.id ?? '';
  }

  /** name is this peer's display name. */
  get name(): string {
    return this.profile?.name ?? this.init.name ?? hostname();
  }

  /** notebook is the notebook this peer holds, or null on a first run. */
  get notebook(): Notebook | null {
    return this.notebookValue?.notebook ?? null;
  }

  /** fatal is the storage failure that stopped the notebook, or null. */
  get fatal(): Error | null {
    return this.notebookValue?.fatal ?? null;
  }

  /** start opens the data directory; without a notebook the peer waits for createNotebook or joinNotebook. */
  async start(): Promise<void> {
    await ensureDataDir(this.dataDir);
    this.profile = await readProfile(this.dataDir);
    const notebook = await readNotebookFile(this.dataDir);
    if (notebook !== null && this.profile === null) {
      throw new DataDirError(`${join(this.dataDir, 'notebook.json')} exists without profile.json; restore that file, or move the data directory aside and join again with an invite.`);
    }
    if (this.profile !== null && this.init.name !== undefined && this.init.name !== this.profile.name) {
      this.profile = { ...this.profile, name: this.init.name };
      await writeProfile(this.dataDir, this.profile);
    }
    if (notebook !== null) await this.run(notebook, this.profile!);
  }

  /** createNotebook makes a new notebook with this peer as its only member (first run only). */
  async createNotebook(name: string): Promise<void> {
    this.assertFirstRun();
    const problem = notebookNameProblem(name);
    if (problem !== null) throw new ServiceError('invalid-name', `The notebook's name: ${problem}.`);
    await this.adopt(createNotebook(name), { name: this.name, origin: 'created' });
  }

  /** joinNotebook joins the notebook of an invite code (first run only). */
  async joinNotebook(code: string): Promise<void> {
    this.assertFirstRun();
    let invite;
    try {
      invite = parseInvite(code);
    } catch (error) {
      if (error instanceof InvalidInviteError) throw new ServiceError('invalid-invite', error.message);
      throw error;
    }
    await this.adopt(invite.notebook, { name: this.name, origin: 'joined', invite: code });
  }

  /**
   * rejoinNotebook asks the notebook's members to add this peer again, after
   * it was removed (refused, not-removed, on a member).
   */
  rejoinNotebook(): void {
    this.running().rejoin();
  }

  /**
   * leaveNotebook stops the notebook of this removed peer and puts its files
   * aside (<data>/left/…): the peer is back at its first run. It refuses
   * (not-removed) on a member: the leader removes a member first.
   */
  async leaveNotebook(): Promise<Notebook> {
    const running = this.notebookValue;
    if (running === null) throw new ServiceError('no-notebook', 'This peer has no notebook to leave.');
    if (!running.removed) {
      throw new ServiceError('not-removed', 'This peer is a member of the notebook: ask the leader to remove it first (the "Remove" button on the leader\'s page), then leave.');
    }
    const { notebook } = running;
    this.notebookValue = null;
    await running.stop();
    const folder = moveNotebookAside(this.dataDir, notebook.id, new Date(systemClock.now()));
    this.log(`left the notebook "${notebook.name}"; its files are kept in ${folder}`);
    this.safeDispatchEvent('status', { detail: null });
    this.safeDispatchEvent('notes', { detail: null });
    return notebook;
  }

  /** running is the running notebook; it refuses (no-notebook) on a first run, and (storage-failed) once storage failed. */
  running(): RunningNotebook {
    const running = this.notebookValue;
    if (running === null) throw new ServiceError('no-notebook', 'This peer has no notebook yet: create one, or join one with an invite code.');
    if (running.fatal !== null) throw new ServiceError('storage-failed', `This peer stopped writing: ${running.fatal.message}`);
    return running;
  }

  /** status is this peer and the cluster as it sees it; on a first run, the peer alone. */
  status(): PeerStatus {
    return this.notebookValue?.status() ?? {
      id: '', name: this.name, role: 'none', term: 0, leaderId: null, votedFor: null,
      commitIndex: 0, appliedIndex: 0, lastIndex: 0, isolated: false, removed: false, quiescent: false, storageFailure: null, notebook: null, members: [],
    };
  }

  /** notes is the document (empty on a first run). */
  notes(): NotesSnapshot {
    return this.notebookValue?.notes() ?? EMPTY_NOTES;
  }

  /** notesSince is what changed in the document after `revision` (null: nothing held yet), as `notes` events (RunningNotebook.notesSince). */
  notesSince(revision: number | null, partNotes?: number): NotesPart {
    return this.notebookValue?.notesSince(revision, partNotes) ?? { change: { ...EMPTY_NOTES, reset: true, revision: 0, deleted: [], more: false }, next: null };
  }

  /** notesAfter is the document once this peer applied the log entry at `index` (RunningNotebook.notesAfter); without `index`, notes(). */
  async notesAfter(index: number | undefined): Promise<NotesSnapshot> {
    if (index === undefined) return this.notes();
    return this.running().notesAfter(index);
  }

  /** logEntries is a page of the Raft log (empty on a first run). */
  logEntries(from: number, limit: number): LogPage {
    return this.notebookValue?.logEntries(from, limit)
      ?? { firstIndex: 1, snapshotIndex: 0, commitIndex: 0, appliedIndex: 0, lastIndex: 0, entries: [] };
  }

  /** exportMarkdown is the whole document as Markdown. */
  exportMarkdown(): string {
    return this.notebookValue?.exportMarkdown() ?? '# Raftnotes\n';
  }

  /** invite is the code that lets another device join. */
  invite(): string {
    const running = this.notebookValue;
    if (running === null) throw new ServiceError('no-notebook', 'This peer has no notebook yet: create one first.');
    return running.invite();
  }

  /** addrs lists where other peers reach this one (none on a first run). */
  addrs(): string[] {
    return this.notebookValue?.addrs() ?? [];
  }

  /** stop hands leadership over when this peer leads, then closes everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.notebookValue?.stop();
  }

  private assertFirstRun(): void {
    const notebook = this.notebook;
    if (notebook !== null) {
      throw new ServiceError('notebook-exists', `This peer already holds the notebook "${notebook.name}"; use another --data directory for another notebook.`);
    }
    if (this.adopting) {
      throw new ServiceError('notebook-exists', 'A notebook is being created or joined on this peer already; wait for it.');
    }
  }

  /** adopt makes `notebook` this peer's (first run only: a second request meanwhile is refused). */
  private async adopt(notebook: Notebook, profile: Profile): Promise<void> {
    this.adopting = true;
    try {
      const leftovers = moveLeftovers(this.dataDir, new Date(systemClock.now()));
      if (leftovers !== null) this.log(`moved the files of an unfinished leave aside, to ${leftovers}`);
      await writeProfile(this.dataDir, profile);
      await writeNotebookFile(this.dataDir, notebook);
      this.profile = profile;
      await this.run(notebook, profile);
    } finally {
      this.adopting = false;
    }
  }

  /** memberNames are the members' names kept in the data directory, kept there again when they change. */
  private async memberNames(): Promise<MemberNames> {
    const dataDir = this.dataDir;
    const kept = await readMemberNames(dataDir);
    if (kept === null) this.log(`${join(dataDir, MEMBER_NAMES_FILE)} is damaged; the members' names are learned again from them`);
    return new MemberNames({
      initial: kept ?? {},
      save: (names) => {
        try {
          writeMemberNames(dataDir, names);
        } catch (error) {
          this.log(`cannot keep the members' names: ${(error as Error).message}`);
        }
      },
    });
  }

  private log(text: string): void {
    this.safeDispatchEvent('log', { detail: { at: systemClock.now(), text } });
  }

  /** run builds the notebook's components for real and starts it. */
  private async run(notebook: Notebook, profile: Profile): Promise<void> {
    const joinTargets = [...(this.init.peers ?? [])];
    if (profile.invite !== undefined) joinTargets.push(...parseInvite(profile.invite).addrs);
    // Each component opened is closed again if a later one fails (a damaged log, a port in use).
    const opened: Array<{ close(): Promise<void> }> = [];
    let running: RunningNotebook;
    try {
      const outbox = await Outbox.open(this.dataDir);
      opened.push(outbox);
      const storage = await DiskStorage.open(join(this.dataDir, RAFT_DIR));
      opened.push(storage);
      // Quiet on mDNS until the notebook knows it is a member: only members can add a newcomer.
      const network = await createPeer({
        privateKey: await loadOrCreatePeerKey(this.dataDir), notebook, name: profile.name, listen: this.init.listen,
        mdns: this.init.mdns ?? true, bootstrap: joinTargets, discoverability: new Discoverability(false),
      });
      opened.push({ close: () => network.stop() });
      const names = await this.memberNames();
      running = await RunningNotebook.open({
        notebook, name: profile.name, origin: profile.origin, joinTargets,
        maxVoters: this.init.maxVoters ?? 5, snapshotEvery: this.init.snapshotEvery ?? 10_000,
        tickMs: this.init.tickMs ?? 10, commitWaitMs: this.init.commitWaitMs ?? 2_000, lab: this.init.lab === true,
      }, { storage, outbox, network, clock: systemClock, names });
    } catch (error) {
      for (const component of opened.reverse()) await component.close().catch(() => {});
      throw error;
    }
    for (const type of ['status', 'notes', 'log', 'fatal', 'trace'] as const) {
      running.addEventListener(type, (evt: CustomEvent) => this.safeDispatchEvent(type, { detail: evt.detail }));
    }
    this.notebookValue = running;
    await running.start();
    this.safeDispatchEvent('status', { detail: null });
  }
}

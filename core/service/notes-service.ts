// NotesService is one peer: it wires the Raft core, durable storage, the
// libp2p peer and the notes document together, owns the outbox, and answers
// the local API. The Raft core meets I/O only in its RaftDriver.
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RaftNode, type Message, type Ready } from '../raft/index.ts';
import { DiskStorage, type RaftStorage } from '../storage/index.ts';
import { createPeer, createNotebook, InvalidInviteError, loadOrCreatePeerKey, notebookNameProblem, parseInvite, readNotebookFile, writeNotebookFile, type Notebook, type Peer } from '../net/index.ts';
import { decodeCommand, NotesDocument, textError, type ApplyResult, type Note, type NoteOp } from '../notes/index.ts';
import { ApiError } from '../api/api-error.ts';
import { ClusterKeeper } from './cluster-keeper.ts';
import { Discoverability } from '../net/lan-discovery.ts';
import { DataDirError, ensureDataDir, RAFT_DIR, readProfile, writeProfile, type Profile } from './data-dir.ts';
import { Outbox, type OutboxRequest } from './outbox.ts';
import type { NotesSnapshot, PeerStatus, PendingRequest, WriteResult } from './views.ts';
import { Proposals } from './proposals.ts';
import { logPage, type LogPage } from './log-view.ts';
import { RaftDriver } from './raft-driver.ts';

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
  /** How long addNote waits for the commit before answering 202. Default 2,000 ms. */
  commitWaitMs?: number;
}

/** NotesService runs one peer of a notebook. */
export class NotesService extends EventTarget {
  readonly dataDir: string;
  private readonly init: NotesServiceInit;
  private profile: Profile | null = null;
  private notebookValue: Notebook | null = null;
  private peer: Peer | null = null;
  private storage: RaftStorage | null = null;
  private driver: RaftDriver | null = null;
  private keeper: ClusterKeeper | null = null;
  private outbox: Outbox | null = null;
  private proposals: Proposals | null = null;
  private doc = new NotesDocument();
  private compactedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastRole = '';
  private lastLeader: string | null = null;
  private lastView = '';
  private stopping = false;
  /** Set when storage failed: the peer acknowledges nothing more. */
  fatal: Error | null = null;

  constructor(init: NotesServiceInit) {
    super();
    this.init = init;
    this.dataDir = init.dataDir;
  }

  get id(): string {
    return this.peer?.peerId ?? '';
  }

  get name(): string {
    return this.profile?.name ?? this.init.name ?? hostname();
  }

  get notebook(): Notebook | null {
    return this.notebookValue;
  }

  /** addrs lists where other peers reach this one. */
  addrs(): string[] {
    return this.peer?.addrs() ?? [];
  }

  /** start opens the data directory; without a notebook the peer waits for openNotebook. */
  async start(): Promise<void> {
    await ensureDataDir(this.dataDir);
    this.profile = await readProfile(this.dataDir);
    this.notebookValue = await readNotebookFile(this.dataDir);
    if (this.notebookValue !== null && this.profile === null) {
      throw new DataDirError(`${join(this.dataDir, 'notebook.json')} exists without profile.json; restore that file, or move the data directory aside and join again with an invite.`);
    }
    if (this.profile !== null && this.init.name !== undefined && this.init.name !== this.profile.name) {
      this.profile = { ...this.profile, name: this.init.name };
      await writeProfile(this.dataDir, this.profile);
    }
    if (this.notebookValue !== null) await this.run();
  }

  /** createNotebook makes a new notebook with this peer as its only member (first run only). */
  async createNotebook(name: string): Promise<void> {
    this.assertFirstRun();
    const problem = notebookNameProblem(name);
    if (problem !== null) throw new ApiError(400, 'invalid-name', `The notebook's name: ${problem}.`);
    const notebook = createNotebook(name);
    await this.adopt(notebook, { name: this.init.name ?? hostname(), origin: 'created' });
  }

  /** joinNotebook joins the notebook of an invite code (first run only). */
  async joinNotebook(code: string): Promise<void> {
    this.assertFirstRun();
    let invite;
    try {
      invite = parseInvite(code);
    } catch (error) {
      if (error instanceof InvalidInviteError) throw new ApiError(400, 'invalid-invite', error.message);
      throw error;
    }
    await this.adopt(invite.notebook, { name: this.init.name ?? hostname(), origin: 'joined', invite: code });
  }

  private assertFirstRun(): void {
    if (this.notebookValue !== null) {
      throw new ApiError(409, 'notebook-exists', `This peer already holds the notebook "${this.notebookValue.name}"; use another --data directory for another notebook.`);
    }
  }

  private async adopt(notebook: Notebook, profile: Profile): Promise<void> {
    await writeProfile(this.dataDir, profile);
    await writeNotebookFile(this.dataDir, notebook);
    this.profile = profile;
    this.notebookValue = notebook;
    await this.run();
  }

  private async run(): Promise<void> {
    const notebook = this.notebookValue!;
    const profile = this.profile!;
    const privateKey = await loadOrCreatePeerKey(this.dataDir);
    this.outbox = await Outbox.open(this.dataDir);
    this.storage = await DiskStorage.open(join(this.dataDir, RAFT_DIR));
    const restore = await this.storage.load();
    const bootstrapPeers = [...(this.init.peers ?? [])];
    if (profile.invite !== undefined) bootstrapPeers.push(...parseInvite(profile.invite).addrs);
    // A newcomer keeps quiet on mDNS until it is a member (the keeper flips this): only members can add it.
    const discoverability = new Discoverability(profile.origin === 'created' || restore.entries.length > 0 || restore.snapshot !== undefined);
    this.peer = await createPeer({
      privateKey, notebook, name: profile.name, listen: this.init.listen, mdns: this.init.mdns ?? true, bootstrap: bootstrapPeers, discoverability,
    });
    const id = this.peer.peerId;
    if (restore.snapshot !== undefined) {
      this.doc = NotesDocument.restore(restore.snapshot.data);
      this.compactedAt = restore.snapshot.index;
    }
    const node = new RaftNode({
      id,
      // A joining peer is a learner of a group it does not know yet; the leader's log tells it.
      membership: profile.origin === 'created' ? { voters: [id], learners: [] } : { voters: [], learners: [id] },
      restore,
    });
    this.driver = new RaftDriver({
      node,
      storage: this.storage,
      send: (messages: Message[]) => this.peer?.raft.send(messages),
      apply: (rd) => this.apply(rd),
      onFatal: (error) => this.onFatal(error),
      tickMs: this.init.tickMs ?? 10,
    });
    this.keeper = new ClusterKeeper({
      peer: this.peer, driver: this.driver, name: profile.name, maxVoters: this.init.maxVoters ?? 5,
      joinTargets: bootstrapPeers, discoverability, log: (line) => this.log(line),
    });
    this.proposals = new Proposals({ client: id, outbox: this.outbox, driver: this.driver, peer: this.peer, commitWaitMs: this.init.commitWaitMs ?? 2_000 });
    const proposals = this.proposals;
    const driver = this.driver;
    const keeper = this.keeper;
    this.peer.raft.setHandler((from, frame) => {
      if (frame.type === 'ForwardProposal') proposals.answerForward(from, frame);
      else if (frame.type !== 'ForwardProposalResult') { // a refused forward is proposed again by proposePending
        driver.step(frame);
        keeper.onRaftMessage(frame);
      }
    });
    this.peer.raft.addEventListener('reachability', (evt) => {
      this.log(`${evt.detail.reachable ? 'connected to' : 'lost'} ${evt.detail.peer}`);
      this.dispatchEvent(new CustomEvent('status'));
    });
    await this.keeper.start();
    // A sole voter has nobody to hear from: it campaigns at once rather than after an election timeout.
    const { membership } = node.status();
    if (membership.voters.length === 1 && membership.voters[0] === id) node.campaign();
    this.driver.start();
    this.timer = setInterval(() => this.housekeeping(), 100);
  }

  /** stop hands leadership over when this peer leads, then closes everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.driver !== null && this.fatal === null) await this.keeper?.handOver();
    await this.keeper?.stop();
    await this.driver?.stop();
    await this.peer?.stop();
    await this.storage?.close();
    await this.outbox?.close();
  }

  // ---- Reading -------------------------------------------------------------

  status(): PeerStatus {
    const raft = this.driver?.node.status() ?? null;
    return {
      id: this.id,
      name: this.name,
      role: raft?.role ?? 'none',
      term: raft?.term ?? 0,
      leaderId: raft?.leaderId ?? null,
      votedFor: raft?.votedFor ?? null,
      commitIndex: raft?.commitIndex ?? 0,
      appliedIndex: this.doc.appliedIndex,
      lastIndex: raft?.lastIndex ?? 0,
      isolated: this.peer?.isolated ?? false,
      notebook: this.notebookValue === null ? null : { id: this.notebookValue.id, name: this.notebookValue.name },
      members: raft === null || this.keeper === null ? [] : this.keeper.members(raft),
    };
  }

  notes(): NotesSnapshot {
    return {
      notes: this.doc.list(),
      pending: (this.outbox?.list() ?? []).map(pendingView),
      conflicts: (this.outbox?.rejected() ?? []).map((r) => ({ ...pendingView(r), error: r.error, current: r.current ?? null })),
      commitIndex: this.driver?.node.status().commitIndex ?? 0,
    };
  }

  /** logEntries lists up to `limit` log entries from index `from` (GET /api/log); compacted ones answer from the snapshot point. */
  logEntries(from: number, limit: number): LogPage {
    if (this.driver === null) return { firstIndex: 1, snapshotIndex: 0, commitIndex: 0, appliedIndex: 0, lastIndex: 0, entries: [] };
    return logPage(this.driver.node, from, limit, this.doc.appliedIndex);
  }

  /** exportMarkdown is the whole document as Markdown, one section per note. */
  exportMarkdown(): string {
    const title = this.notebookValue?.name ?? 'Raftnotes';
    const parts = [`# ${title}`, ''];
    for (const n of this.doc.list()) {
      parts.push(`## ${new Date(n.createdAt).toISOString()} · ${n.author || 'unknown'}`, '', n.text, '');
    }
    return parts.join('\n');
  }

  // ---- The cluster --------------------------------------------------------

  /** setIsolated cuts this peer off from all others, or reconnects it (partition demos). */
  async setIsolated(isolated: unknown): Promise<boolean> {
    if (typeof isolated !== 'boolean') throw new ApiError(400, 'invalid-request', 'Send {"isolated": true} to go offline, {"isolated": false} to reconnect.');
    if (this.peer === null) throw new ApiError(409, 'no-notebook', 'This peer has no notebook yet.');
    await this.peer.setIsolated(isolated);
    this.log(isolated ? 'cut off from every other peer' : 'reconnecting to the other peers');
    this.dispatchEvent(new CustomEvent('status'));
    return isolated;
  }

  /** transferLeadership hands leadership to member `to` (this peer must lead) and waits for it to take over. */
  async transferLeadership(to: unknown): Promise<string | null> {
    const driver = this.requireDriver();
    const status = driver.node.status();
    if (typeof to !== 'string' || !status.membership.voters.includes(to)) {
      throw new ApiError(400, 'invalid-member', 'Send {"to": "<peer id>"} naming a voting member (GET /api/status lists them).');
    }
    if (status.role !== 'leader') throw notLeader(status.leaderId);
    if (to === status.id) return to;
    return this.keeper!.transfer(to);
  }

  /** removeMember removes a member from the notebook (this peer must lead) and waits for the change to commit. */
  async removeMember(id: string): Promise<void> {
    const driver = this.requireDriver();
    const status = driver.node.status();
    if (!status.membership.voters.includes(id) && !status.membership.learners.includes(id)) {
      throw new ApiError(404, 'not-found', `${id} is not a member of this notebook.`);
    }
    if (status.role !== 'leader') throw notLeader(status.leaderId);
    if (status.membership.voters.length === 1 && status.membership.voters[0] === id) {
      throw new ApiError(409, 'last-voter', 'The last voting member cannot be removed.');
    }
    const result = driver.changeMembership({ type: 'remove', id });
    if (!result.ok) {
      throw new ApiError(409, result.reason, result.reason === 'config-change-pending'
        ? 'Another membership change is under way; try again in a moment.' : 'This peer no longer leads; ask the leader.');
    }
    const deadline = Date.now() + (this.init.commitWaitMs ?? 2_000);
    while (Date.now() < deadline && driver.node.status().commitIndex < result.index) await sleep(10);
    if (driver.node.status().commitIndex < result.index) {
      throw new ApiError(503, 'no-majority', 'The removal is proposed but no majority confirmed it yet; check GET /api/status.');
    }
    this.peer?.raft.removePeer(id);
    this.log(`removed member ${id}`);
  }

  private requireDriver(): RaftDriver {
    this.requireRunning();
    return this.driver!;
  }

  /** invite is the code that lets another device join, or null without a notebook. */
  invite(): string | null {
    return this.peer?.invite() ?? null;
  }



  // ---- Writing -------------------------------------------------------------

  /** addNote adds a note; it waits up to commitWaitMs for the commit, else answers with the pending request. */
  async addNote(text: unknown): Promise<WriteResult> {
    checkText(text);
    const outcome = await this.write({ op: 'add', text: text as string });
    if (!outcome.committed) return outcome;
    return { committed: true, note: this.expectOk(outcome.result) };
  }

  /** editNote replaces a note's text if `version` is still its current version (compare-and-swap). */
  async editNote(id: string, text: unknown, version: unknown): Promise<WriteResult> {
    checkText(text);
    this.checkVersion(id, version);
    const outcome = await this.write({ op: 'edit', id, version: version as number, text: text as string });
    if (!outcome.committed) return outcome;
    return { committed: true, note: this.expectOk(outcome.result) };
  }

  /** deleteNote deletes a note if `version` is still its current version. */
  async deleteNote(id: string, version: unknown): Promise<WriteResult> {
    this.checkVersion(id, version);
    const outcome = await this.write({ op: 'delete', id, version: version as number });
    if (!outcome.committed) return outcome;
    return { committed: true, note: this.expectOk(outcome.result) };
  }

  /** dismissConflict forgets a rejected request the user has seen. */
  async dismissConflict(requestId: string): Promise<void> {
    const outbox = this.requireRunning();
    if (!/^\d{1,15}$/.test(requestId) || !(await outbox.dismiss(Number(requestId)))) {
      throw new ApiError(404, 'not-found', `There is no refused request ${JSON.stringify(requestId)}; GET /api/notes lists them under "conflicts".`);
    }
  }

  /** checkVersion refuses at once what this peer's copy of the document already shows to be stale. */
  private checkVersion(id: string, version: unknown): void {
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw new ApiError(400, 'invalid-version', 'Send the version of the note you saw, a whole number from 1 (the note\'s "version" field).');
    }
    const current = this.doc.get(id);
    if (current === undefined) throw new ApiError(404, 'not-found', `There is no note ${JSON.stringify(id)}; it may have been deleted. Reload the notes.`);
    if (current.version !== version) {
      throw new ApiError(409, 'conflict', `The note changed since you saw it (version ${version}, now ${current.version}). Look at the current text and try again.`, { current });
    }
  }

  private expectOk(result: ApplyResult): Note {
    if (result.ok) return result.note;
    if (result.error === 'conflict') {
      throw new ApiError(409, 'conflict', 'Someone changed the note at the same time. Look at the current text and try again.', { current: result.current });
    }
    throw new ApiError(404, 'not-found', 'The note was deleted meanwhile.');
  }

  /** write stores an operation in the outbox, proposes it, and waits up to commitWaitMs for its result. */
  private async write(op: NoteOp): Promise<{ committed: true; result: ApplyResult } | { committed: false; pending: PendingRequest }> {
    const outbox = this.requireRunning();
    const request = await outbox.add(op, this.name, Date.now());
    const result = await this.proposals!.submit(request);
    return result === null ? { committed: false, pending: pendingView(request) } : { committed: true, result };
  }

  private requireRunning(): Outbox {
    if (this.fatal !== null) {
      throw new ApiError(503, 'storage-failed', `This peer stopped writing: ${this.fatal.message}`);
    }
    if (this.outbox === null || this.driver === null) {
      throw new ApiError(409, 'no-notebook', 'This peer has no notebook yet: create one, or join one with an invite code.');
    }
    return this.outbox;
  }

  // ---- Applying ------------------------------------------------------------

  private apply(rd: Ready): void {
    let changed = false;
    const snapshot = rd.snapshot;
    if (snapshot !== null && snapshot.index > this.doc.appliedIndex) {
      this.doc = NotesDocument.restore(snapshot.data);
      this.compactedAt = snapshot.index;
      this.log(`restored ${this.doc.size()} notes from a snapshot at index ${snapshot.index}`);
      changed = true;
      this.proposals?.settleApplied((seq) => this.doc.isApplied(this.id, seq));
    }
    for (const entry of rd.committed) {
      if (entry.index <= this.doc.appliedIndex) continue;
      if (entry.kind !== 'command') {
        if (entry.kind === 'config') this.keeper?.onMembershipCommitted();
        this.doc.skip(entry.index);
        continue;
      }
      let command;
      try {
        command = decodeCommand(entry.data);
      } catch (error) {
        this.log(`skipped entry ${entry.index}: ${(error as Error).message}`);
        this.doc.skip(entry.index);
        continue;
      }
      const result = this.doc.apply(entry.index, command);
      changed = true;
      if (command.client === this.id) this.proposals?.settle(command.seq, result);
    }
    if (changed) this.dispatchEvent(new CustomEvent('notes'));
  }

  /** maybeCompact snapshots the document every snapshotEvery entries; outside the Ready loop, so the core has advanced. */
  private maybeCompact(): void {
    const driver = this.driver;
    if (driver === null) return;
    const applied = Math.min(this.doc.appliedIndex, driver.node.status().appliedIndex);
    if (applied - this.compactedAt < (this.init.snapshotEvery ?? 10_000) || applied !== this.doc.appliedIndex) return;
    driver.node.compact(applied, this.doc.snapshot());
    driver.kick();
    this.compactedAt = applied;
  }

  private housekeeping(): void {
    if (this.driver === null || this.fatal !== null) return;
    const { role, leaderId, term } = this.driver.node.status();
    if (role !== this.lastRole || leaderId !== this.lastLeader) {
      this.log(`${role} in term ${term}${leaderId !== null && role !== 'leader' ? `, leader ${leaderId}` : ''}`);
      this.lastRole = role;
      this.lastLeader = leaderId;
      this.dispatchEvent(new CustomEvent('status'));
    }
    this.keeper?.tick();
    this.proposals?.proposePending();
    this.maybeCompact();
    // The cluster view follows commits and reachability too, at most ten times a second.
    const view = JSON.stringify(this.status());
    if (view !== this.lastView) {
      this.lastView = view;
      this.dispatchEvent(new CustomEvent('status'));
    }
  }

  private onFatal(error: Error): void {
    this.fatal = error;
    this.log(`this peer stopped and acknowledges no more writes: ${error.message}`);
    this.dispatchEvent(new CustomEvent('fatal', { detail: error }));
  }

  private log(line: string): void {
    this.dispatchEvent(new CustomEvent('log', { detail: line }));
  }
}

function checkText(text: unknown): void {
  const problem = textError(text);
  if (problem !== null) throw new ApiError(400, 'invalid-text', `The note's ${problem}.`);
}

function notLeader(leaderId: string | null): ApiError {
  return new ApiError(409, 'not-leader', 'Only the leader can do this; ask the leader\'s peer (leaderId).', { leaderId });
}


function pendingView(request: OutboxRequest): PendingRequest {
  return {
    requestId: String(request.seq),
    op: request.op.op,
    text: request.op.op === 'delete' ? null : request.op.text,
    ...(request.op.op === 'add' ? {} : { noteId: request.op.id, version: request.op.version }),
    createdAt: request.createdAt,
  };
}

// RunningNotebook is one peer of a notebook at work: the Raft core and its
// driver, the notes document they replicate, the outbox of this peer's
// requests, and the cluster around it (joining, membership, the cluster
// view). It receives its components (js-libp2p's Components pattern):
// durable storage, the network and a clock, and builds nothing of them, so
// tests run several notebooks in one process over MemoryStorage and
// MemoryPeer, and the command runs one over DiskStorage and libp2p.
//
// It acts on events, not on polling: after each input the driver announces
// role, term, leader, commit and membership changes ('change'); the network
// announces reachability; the document announces what it applied. The
// `status` event is sent when the view may have changed and `notes` when the
// document or the outbox did, at most once per EVENTS_EVERY_MS and
// NOTES_EVENTS_EVERY_MS (the first at once, the last never lost), so a burst
// of commits costs a page one event per period, not one per commit; a page
// is sent the notes changed since the revision it holds (notesSince). `log`
// is the story a person follows (elections, joins, partitions). A peer run
// for the demo (`lab`) also emits `trace` (RaftTrace: its Raft messages and
// timer, bounded) and takes the demo's controls (lab(): clock, cut, classic
// Raft, a timer set to fire); any other peer makes no trace at all.
import { TypedEventEmitter } from '@libp2p/interface';
import { RaftNode, type Ready } from '../raft/index.ts';
import type { RaftStorage } from '../storage/index.ts';
import type { Frame, Notebook, NotebookNetwork } from '../net/index.ts';
import { decodeCommand, noteRows, NotesDocument, type ApplyResult, type Note, type NoteOp } from '../notes/index.ts';
import type { Clock } from './clock.ts';
import { ClusterView } from './cluster/cluster-view.ts';
import { Joiner } from './cluster/joiner.ts';
import { MemberAddresses } from './cluster/member-addresses.ts';
import { MemberNames } from './cluster/member-names.ts';
import { MembershipKeeper } from './cluster/membership-keeper.ts';
import { Removal } from './cluster/removal.ts';
import { ServiceError } from './errors.ts';
import { logPage, type LogPage } from './log-view.ts';
import { markdownExport } from './markdown-export.ts';
import { OutboxFileError, type Outbox, type OutboxRequest } from './outbox.ts';
import { Proposals, type Settled } from './proposals.ts';
import { SnapshotPacker, unpackSnapshot } from './snapshot-codec.ts';
import { Throttle } from './throttle.ts';
import { RaftDriver, type SoftStateChange } from './raft-driver.ts';
import { RaftTrace, type LabSettings, type TraceBatch } from './raft-trace.ts';
import type { LogLine, NotesPart, NotesSnapshot, PeerStatus, PendingRequest, WriteResult } from './views.ts';
import { notesInParts } from './notes-parts.ts';

/** EVENTS_EVERY_MS is the shortest time between two `status` events. */
export const EVENTS_EVERY_MS = 100;
/** NOTES_EVENTS_EVERY_MS is the shortest time between two `notes` events: they carry only what changed, so they may come often. */
export const NOTES_EVENTS_EVERY_MS = 16;
/** HANDOVER_WAIT_MS is how long a leadership transfer is waited for. */
const HANDOVER_WAIT_MS = 1_500;

/** NotebookComponents are what a running notebook works with. */
export interface NotebookComponents {
  /** The Raft log, hard state and snapshots. */
  storage: RaftStorage;
  /** This peer's requests until they are committed. */
  outbox: Outbox;
  network: NotebookNetwork;
  clock: Clock;
  /** The members' display names, with those kept from before and where to keep new ones; default: none kept. */
  names?: MemberNames;
}

/** NotebookInit says which notebook this peer runs and how. */
export interface NotebookInit {
  notebook: Notebook;
  /** This peer's display name. */
  name: string;
  /** 'created': this peer started the notebook alone (its first voter); 'joined': it was invited (a learner until the leader promotes it). */
  origin: 'created' | 'joined';
  /** Where to ask to join first: the invite's addresses and the --peer ones. */
  joinTargets: string[];
  maxVoters: number;
  /** Compact the log into a snapshot every this many applied entries. */
  snapshotEvery: number;
  /** Milliseconds per Raft tick. */
  tickMs: number;
  /** How long a write waits for the commit before it is answered as pending. */
  commitWaitMs: number;
  /** Run for the demo (serve --lab): emit `trace` events and take lab() controls. */
  lab?: boolean;
}

/** LabChange is what the demo may change on a peer at once (POST /api/lab); what is left out stays. */
export interface LabChange {
  tickMs?: number;
  paused?: boolean;
  /** Ticks to make now, the clock being paused. */
  step?: number;
  /** The peers to be cut off from (ids); [] heals. */
  cut?: string[];
  preVote?: boolean;
  checkQuorum?: boolean;
  /** Make the election timeout fire after this many ticks (a provoked split vote). */
  fireElectionIn?: number;
}

/** NotebookEvents are the events a running notebook emits. */
export interface NotebookEvents {
  /** status() may have changed. */
  status: CustomEvent<null>;
  /** notes() changed. */
  notes: CustomEvent<null>;
  /** A line of the peer's story. */
  log: CustomEvent<LogLine>;
  /** Storage failed: the notebook acknowledges nothing more. */
  fatal: CustomEvent<Error>;
  /** Lab only: the Raft messages sent and the timer, every TRACE_EVERY_MS. */
  trace: CustomEvent<TraceBatch>;
}

/** RunningNotebook runs one peer of a notebook: open it (RunningNotebook.open), listen to its events, start it. */
export class RunningNotebook extends TypedEventEmitter<NotebookEvents> {
  readonly notebook: Notebook;
  private readonly init: NotebookInit;
  private readonly components: NotebookComponents;
  private readonly driver: RaftDriver;
  private readonly names: MemberNames;
  private readonly keeper: MembershipKeeper;
  private readonly view: ClusterView;
  private readonly proposals: Proposals;
  /** Asks to join while this peer is not a member; null once it is. */
  private joiner: Joiner | null = null;
  /** Whether this peer was removed from the notebook (it then takes no part and refuses writes). */
  private readonly removal: Removal;
  /** The document as of the last applied entry. Invariant: doc.appliedIndex <= the core's commit index. */
  private doc: NotesDocument;
  /** The index of the newest snapshot taken or restored. */
  private compactedAt: number;
  /** A snapshot is being compressed (maybeCompact). */
  private compacting = false;
  /** Writes the snapshots, keeping the compressed notes of each for the next. */
  private readonly packer = new SnapshotPacker();
  /** Set when storage failed: the notebook acknowledges nothing more. */
  private fatalError: Error | null = null;
  /** Peers found to run another version of Raftnotes, told once each. */
  private readonly otherVersions = new Set<string>();
  /** Readers waiting for the document to reach a log index (notesAfter). */
  private readonly appliedWaiters = new Set<{ index: number; resolve: (reached: boolean) => void }>();
  private readonly statusEvents = new Throttle(EVENTS_EVERY_MS, () => this.emit('status'));
  private readonly notesEvents = new Throttle(NOTES_EVENTS_EVERY_MS, () => this.emit('notes'));
  private stopping = false;
  /** The peers this one is cut off from (lab()). */
  private cutPeers: string[] = [];
  /** Lab only (init.lab): the trace of this peer's Raft messages; null otherwise, and never consulted then. */
  private readonly trace: RaftTrace | null;

  /** open reads the notebook's state from storage; start() sets it to work. */
  static async open(init: NotebookInit, components: NotebookComponents): Promise<RunningNotebook> {
    const restore = await components.storage.load();
    const id = components.network.peerId;
    const node = new RaftNode({
      id,
      // A joining peer is a learner of a group it does not know yet; the leader's log tells it.
      membership: init.origin === 'created' ? { voters: [id], learners: [] } : { voters: [], learners: [id] },
      restore,
      // The demo shows heartbeats and election timers as they run: its peers never go quiet.
      ...(init.lab === true ? { quiesce: false } : {}),
    });
    const doc = restore.snapshot === undefined ? new NotesDocument() : NotesDocument.restore(unpackSnapshot(restore.snapshot.data));
    return new RunningNotebook(init, components, node, doc, restore.snapshot?.index ?? 0);
  }

  private constructor(init: NotebookInit, components: NotebookComponents, node: RaftNode, doc: NotesDocument, compactedAt: number) {
    super();
    this.init = init;
    this.components = components;
    this.notebook = init.notebook;
    this.doc = doc;
    this.compactedAt = compactedAt;
    this.names = components.names ?? new MemberNames();
    const { network, storage, clock, outbox } = components;
    const trace = init.lab === true ? new RaftTrace({
      clock,
      sample: () => ({ timer: this.driver.electionTimer(), lab: this.labSettings() }),
      emit: (batch) => this.safeDispatchEvent('trace', { detail: batch }),
    }) : null;
    this.trace = trace;
    this.driver = new RaftDriver({
      node,
      storage,
      send: trace === null ? (messages) => network.raft.send(messages) : (messages) => {
        network.raft.send(messages);
        trace.record(messages);
      },
      apply: (rd) => this.apply(rd),
      onFatal: (error) => this.onFatal(error),
      tickMs: init.tickMs,
    });
    const log = (text: string) => this.log(text);
    const addresses = new MemberAddresses(network, clock);
    this.keeper = new MembershipKeeper({ network, driver: this.driver, names: this.names, addresses, maxVoters: init.maxVoters, log });
    this.view = new ClusterView({
      network, driver: this.driver, clock, names: this.names, addresses, name: init.name, log, onChange: () => this.statusChanged(),
      onLeaderMembers: (leader, members) => this.removal.leaderMembers(leader, members),
    });
    this.removal = new Removal({
      network, driver: this.driver, clock, names: this.names, joinTargets: init.joinTargets, log, onChange: () => this.statusChanged(),
    });
    this.proposals = new Proposals({ client: network.peerId, outbox, driver: this.driver, network, clock, commitWaitMs: init.commitWaitMs });
  }

  /**
   * start answers the network, campaigns at once when this peer is the only
   * voter, asks to join while it is not a member, and proposes what waits in
   * the outbox. Its first events come before it returns.
   */
  async start(): Promise<void> {
    const { network } = this.components;
    network.raft.setHandler((from, frame) => this.receive(from, frame));
    network.raft.addEventListener('reachability', (evt) => {
      this.log(`${evt.detail.reachable ? 'connected to' : 'lost'} ${this.names.label(evt.detail.peer)}`);
      if (evt.detail.reachable) this.keeper.onReachable();
      // A quiescent group hears nothing while idle: a closed connection is how a dead leader shows at once.
      else this.driver.wake();
      this.statusChanged();
    });
    network.raft.addEventListener('other-version', (evt) => {
      // Said once per peer: the transport keeps redialing, at its longest pause.
      if (this.otherVersions.has(evt.detail.peer)) return;
      this.otherVersions.add(evt.detail.peer);
      this.log(evt.detail.reason);
    });
    this.driver.addEventListener('change', (evt) => this.onSoftStateChange(evt.detail));
    await this.keeper.start();
    await this.view.start();
    this.membershipChanged();
    // A sole voter has nobody to hear from: it campaigns at once rather than after an election timeout.
    const { membership } = this.driver.softState;
    if (membership.voters.length === 1 && membership.voters[0] === network.peerId) this.driver.campaign();
    this.driver.start();
    this.trace?.start();
    this.proposals.proposePending();
  }

  /** id is this peer's id in the notebook. */
  get id(): string {
    return this.components.network.peerId;
  }

  /** fatal is the storage failure that stopped this notebook, or null. */
  get fatal(): Error | null {
    return this.fatalError;
  }

  /** stop hands leadership over when this peer leads, then stops the driver and closes the storage, the outbox and the network. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.fatalError === null) await this.handOver();
    this.trace?.stop();
    this.statusEvents.stop();
    this.notesEvents.stop();
    this.joiner?.stop();
    this.removal.stop();
    this.keeper.stop();
    this.view.stop();
    this.proposals.stop();
    await this.driver.stop();
    const { network, storage, outbox } = this.components;
    await network.stop();
    await storage.close();
    await outbox.close();
  }

  // ---- Reading ----------------------------------------------------------------

  /** status is this peer and the cluster as it sees it. */
  status(): PeerStatus {
    const raft = this.driver.node.status();
    const { network } = this.components;
    // A removed peer's core stays as it was when it stopped ticking (often a pre-candidate): it says removed instead.
    const role = this.removal.removed ? 'removed' : raft.role;
    const members = this.view.members(raft);
    return {
      id: network.peerId,
      name: this.init.name,
      role,
      term: raft.term,
      leaderId: raft.leaderId,
      votedFor: raft.votedFor,
      commitIndex: raft.commitIndex,
      appliedIndex: this.doc.appliedIndex,
      lastIndex: raft.lastIndex,
      isolated: network.isolated,
      removed: this.removal.removed,
      quiescent: raft.quiescent,
      storageFailure: (this.fatalError ?? this.components.outbox.failed)?.message ?? null,
      notebook: { id: this.notebook.id, name: this.notebook.name },
      members: !this.removal.removed ? members : members.map((m) => (m.id === network.peerId ? { ...m, role } : m)),
    };
  }

  /** notes is the document, with this peer's pending and refused requests. */
  notes(): NotesSnapshot {
    const { outbox } = this.components;
    return {
      notes: this.doc.list(),
      pending: outbox.list().map(pendingView),
      conflicts: outbox.rejected().map((r) => ({ ...pendingView(r), error: r.error, current: r.current ?? null })),
      commitIndex: this.driver.softState.commitIndex,
    };
  }

  /**
   * notesSince is what changed in the document after `revision` (null:
   * nothing held yet), as `notes` events send it: the changes, or the whole
   * document, in parts of at most `partNotes` notes, each built when it is
   * sent (notes-parts.ts).
   */
  notesSince(revision: number | null, partNotes = Number.POSITIVE_INFINITY): NotesPart {
    const { outbox } = this.components;
    const head = {
      revision: this.doc.appliedIndex,
      pending: outbox.list().map(pendingView),
      conflicts: outbox.rejected().map((r) => ({ ...pendingView(r), error: r.error, current: r.current ?? null })),
      commitIndex: this.driver.softState.commitIndex,
    };
    const changes = revision === null ? null : this.doc.changesSince(revision);
    if (changes === null) return notesInParts(this.doc.rows(), { ...head, reset: true, deleted: [] }, partNotes);
    return notesInParts(noteRows(changes.notes), { ...head, reset: false, deleted: changes.deleted }, partNotes);
  }

  /**
   * notesAfter is notes() once this peer applied the entry at `index` (read
   * your writes on any peer: a write's answer names its entry); it waits up
   * to commitWaitMs, then refuses (behind) with what it applied.
   */
  async notesAfter(index: number): Promise<NotesSnapshot> {
    if (this.doc.appliedIndex < index && !(await this.applied(index, this.init.commitWaitMs))) {
      throw new ServiceError('behind', `This peer has applied the log up to entry ${this.doc.appliedIndex}, not yet ${index}: it may be cut off from the leader. Try again, or ask the leader's peer.`,
        { appliedIndex: this.doc.appliedIndex });
    }
    return this.notes();
  }

  /** applied resolves true once the document applied the entry at `index`, or false after `ms`. */
  private applied(index: number, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        index,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          this.appliedWaiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), ms);
      this.appliedWaiters.add(waiter);
    });
  }

  /** logEntries lists up to `limit` log entries from index `from`; compacted ones answer from the snapshot point. */
  logEntries(from: number, limit: number): LogPage {
    return logPage(this.driver.node, from, limit, this.doc.appliedIndex);
  }

  /** exportMarkdown is the whole document as Markdown, one section per note. */
  exportMarkdown(): string {
    return markdownExport(this.notebook.name, this.doc.list());
  }

  /** addrs lists where other peers reach this one. */
  addrs(): string[] {
    return this.components.network.addrs();
  }

  /** invite is the code that lets another device join. */
  invite(): string {
    return this.components.network.invite();
  }

  // ---- Writing ----------------------------------------------------------------

  /** addNote adds a note; it waits up to commitWaitMs for the commit, else answers with the pending request. */
  async addNote(text: string): Promise<WriteResult> {
    return this.write({ op: 'add', text });
  }

  /** editNote replaces a note's text if `version` is still its current version (compare-and-swap). */
  async editNote(id: string, text: string, version: number): Promise<WriteResult> {
    this.checkVersion(id, version);
    return this.write({ op: 'edit', id, version, text });
  }

  /** deleteNote deletes a note if `version` is still its current version. */
  async deleteNote(id: string, version: number): Promise<WriteResult> {
    this.checkVersion(id, version);
    return this.write({ op: 'delete', id, version });
  }

  /** dismissConflict forgets a refused request the user has seen. */
  async dismissConflict(requestId: string): Promise<void> {
    this.checkWritable();
    if (!/^\d{1,15}$/.test(requestId) || !(await this.components.outbox.dismiss(Number(requestId)))) {
      throw new ServiceError('not-found', `There is no refused request ${JSON.stringify(requestId)}; GET /api/notes lists them under "conflicts".`);
    }
    this.notesEvents.signal();
  }

  /**
   * checkVersion refuses at once only what is certainly stale: this peer's
   * copy may lag behind the leader (a version it has not seen yet, a note just
   * added), and then the committed log decides, exactly once.
   */
  private checkVersion(id: string, version: number): void {
    const refusal = this.doc.certainRefusal(id, version);
    if (refusal?.error === 'not-found') {
      throw new ServiceError('not-found', `There is no note ${JSON.stringify(id)}; it may have been deleted. Reload the notes.`);
    }
    if (refusal?.error === 'conflict') {
      const { current } = refusal;
      throw new ServiceError('conflict', `The note changed since you saw it (version ${version}, now ${current.version}). Look at the current text and try again.`, { current });
    }
  }

  /** write stores an operation in the outbox, proposes it, and waits up to commitWaitMs for its result. */
  private async write(op: NoteOp): Promise<WriteResult> {
    this.checkWritable();
    let request: OutboxRequest;
    let settled: Settled | null;
    try {
      request = await this.components.outbox.add(op, this.init.name, this.components.clock.now());
      this.notesEvents.signal(); // the request shows as pending until it commits
      this.checkWritable(); // storage may have failed meanwhile: the request stays in the outbox, for after a restart
      settled = await this.proposals.submit(request);
    } catch (error) {
      if (!(error instanceof OutboxFileError)) throw error;
      this.statusEvents.signal(); // the status now tells the outbox's failure
      throw storageFailed(error);
    }
    if (settled === null) return { committed: false, pending: pendingView(request) };
    return { committed: true, note: noteOf(settled.result), index: settled.index };
  }

  /** checkWritable refuses a write once the Raft storage or the outbox's file failed. */
  private checkWritable(): void {
    const failure = this.fatalError ?? this.components.outbox.failed;
    if (failure !== null) throw storageFailed(failure);
    if (this.removal.removed) {
      throw new ServiceError('removed', 'This peer was removed from the notebook: it takes no more writes. Ask to join again (POST /api/notebook/rejoin), or leave the notebook (DELETE /api/notebook).');
    }
  }

  // ---- Removal ----------------------------------------------------------------

  /** removed says whether this peer learned it was removed from the notebook. */
  get removed(): boolean {
    return this.removal.removed;
  }

  /** rejoin asks the notebook's members to add this removed peer again (Removal.rejoin). */
  rejoin(): void {
    this.removal.rejoin();
  }

  // ---- The cluster ------------------------------------------------------------

  /** setIsolated cuts this peer off from all others, or reconnects it (partition demos). */
  async setIsolated(isolated: boolean): Promise<boolean> {
    await this.components.network.setIsolated(isolated);
    this.log(isolated ? 'cut off from every other peer' : 'reconnecting to the other peers');
    if (!isolated) this.proposals.proposePending();
    this.statusChanged();
    return isolated;
  }

  /** lab applies the demo's controls (a peer run with `lab` only) and returns the settings then. */
  async lab(change: LabChange): Promise<LabSettings> {
    if (this.trace === null) {
      throw new ServiceError('lab-off', 'This peer takes the demo\'s controls only when started with --lab (raftnotes demo starts its peers so).');
    }
    const { driver } = this;
    if (change.preVote !== undefined || change.checkQuorum !== undefined) {
      driver.node.setSafeguards({
        ...(change.preVote !== undefined ? { preVote: change.preVote } : {}),
        ...(change.checkQuorum !== undefined ? { checkQuorum: change.checkQuorum } : {}),
      });
      const { preVote, checkQuorum } = driver.node.safeguards();
      this.log(`PreVote ${preVote ? 'on' : 'off'}, CheckQuorum ${checkQuorum ? 'on' : 'off'}`);
    }
    if (change.tickMs !== undefined) driver.setTickMs(change.tickMs);
    if (change.paused !== undefined) driver.setPaused(change.paused);
    if (change.fireElectionIn !== undefined) driver.node.fireElectionIn(change.fireElectionIn);
    for (let i = 0; i < (change.step ?? 0); i++) driver.stepTick();
    if (change.cut !== undefined) {
      const cut = change.cut.filter((id) => id !== this.id);
      await this.components.network.setCut(cut);
      this.cutPeers = cut;
      this.log(cut.length === 0 ? 'the partition is healed' : `cut off from ${cut.map((id) => this.names.label(id)).join(', ')}`);
      if (cut.length === 0) this.proposals.proposePending();
      this.statusChanged();
    }
    this.trace.flush();
    return this.labSettings();
  }

  /** labSettings is what the demo holds of this peer now. */
  private labSettings(): LabSettings {
    return { ...this.driver.clockSetting, ...this.driver.node.safeguards(), cut: [...this.cutPeers] };
  }

  /** transferLeadership hands leadership to voter `to` (this peer must lead) and waits for it to take over; it returns the leader then known. */
  async transferLeadership(to: string): Promise<string | null> {
    const status = this.driver.node.status();
    if (!status.membership.voters.includes(to)) {
      throw new ServiceError('invalid-member', 'Send {"to": "<peer id>"} naming a voting member (GET /api/status lists them).');
    }
    if (status.role !== 'leader') throw notLeader(status.leaderId);
    if (to === status.id) return to;
    return this.transfer(to);
  }

  /** removeMember removes a member from the notebook (this peer must lead) and waits for the change to commit. */
  async removeMember(id: string): Promise<void> {
    this.checkWritable();
    const status = this.driver.node.status();
    if (!status.membership.voters.includes(id) && !status.membership.learners.includes(id)) {
      throw new ServiceError('not-found', `${id} is not a member of this notebook.`);
    }
    if (status.role !== 'leader') throw notLeader(status.leaderId);
    if (status.membership.voters.length === 1 && status.membership.voters[0] === id) {
      throw new ServiceError('last-voter', 'The last voting member cannot be removed.');
    }
    const result = this.driver.changeMembership({ type: 'remove', id });
    if (!result.ok) {
      throw new ServiceError(result.reason, result.reason === 'config-change-pending'
        ? 'Another membership change is under way; try again in a moment.' : 'This peer no longer leads; ask the leader.');
    }
    if (!await this.driver.waitFor((s) => s.commitIndex >= result.index, this.init.commitWaitMs)) {
      throw new ServiceError('no-majority', 'The removal is proposed but no majority confirmed it yet; check GET /api/status.');
    }
    this.components.network.raft.removePeer(id);
    this.log(`removed member ${this.names.label(id)}`);
  }

  /** handOver transfers leadership to the most caught-up voter and waits for it to take over (before a stop). */
  private async handOver(): Promise<void> {
    const status = this.driver.node.status();
    if (status.role !== 'leader' || status.progress === null) return;
    let best: string | null = null;
    let bestMatch = -1;
    for (const id of status.membership.voters) {
      if (id === status.id) continue;
      const match = status.progress[id]?.matchIndex ?? 0;
      if (match > bestMatch) {
        best = id;
        bestMatch = match;
      }
    }
    if (best === null) return;
    this.log(`handing leadership to ${this.names.label(best)} before stopping`);
    await this.transfer(best);
  }

  /** transfer hands leadership to voter `to` and waits for this peer to step down; it returns the leader then known. */
  private async transfer(to: string): Promise<string | null> {
    this.driver.transferLeadership(to);
    await this.driver.waitFor((s) => s.role !== 'leader', HANDOVER_WAIT_MS);
    return this.driver.softState.leaderId;
  }

  // ---- Events -----------------------------------------------------------------

  /** receive takes a frame from another peer: Raft messages go to the driver, forwarded proposals to Proposals. */
  private receive(from: string, frame: Frame): void {
    if (frame.type === 'ForwardProposal') {
      this.proposals.answerForward(from, frame);
    } else if (frame.type !== 'ForwardProposalResult') { // a refused forward is proposed again by Proposals
      this.driver.step(frame);
      this.keeper.onRaftMessage(frame);
      // A follower's acknowledgement moves its match index in the leader's view.
      if (frame.type === 'AppendEntriesResponse' && this.driver.softState.role === 'leader') this.statusChanged();
    }
  }

  private onSoftStateChange({ previous, current }: SoftStateChange): void {
    if (current.role !== previous.role || current.leaderId !== previous.leaderId) {
      const leader = current.leaderId !== null && current.role !== 'leader' ? `, leader ${this.names.label(current.leaderId)}` : '';
      this.log(`${current.role} in term ${current.term}${leader}`);
      this.keeper.onLeaderChanged();
    }
    if (current.membership !== previous.membership) this.membershipChanged();
    this.statusChanged();
  }

  /** membershipChanged follows the latest membership: streams to every member, joining until this peer is one, showing itself once it is. */
  private membershipChanged(): void {
    const { network } = this.components;
    const { membership } = this.driver.softState;
    const member = membership.voters.length > 0;
    this.removal.membershipChanged(membership);
    network.setDiscoverable(member);
    if (member && this.joiner !== null) {
      this.joiner.stop();
      this.joiner = null;
    } else if (!member && this.joiner === null && !this.stopping) {
      this.joiner = new Joiner({ network, clock: this.components.clock, names: this.names, targets: this.init.joinTargets, log: (t) => this.log(t) });
      void this.joiner.start();
    }
    this.keeper.membershipChanged();
  }

  /** statusChanged says the view may have changed: a `status` event now, or at the end of the current period. */
  private statusChanged(): void {
    this.statusEvents.signal();
  }

  // ---- Applying ---------------------------------------------------------------

  private apply(rd: Ready): void {
    let changed = false;
    const snapshot = rd.snapshot;
    if (snapshot !== null && snapshot.index > this.doc.appliedIndex) {
      this.doc = NotesDocument.restore(unpackSnapshot(snapshot.data));
      this.compactedAt = snapshot.index;
      this.log(`restored ${this.doc.size()} notes from a snapshot at index ${snapshot.index}`);
      changed = true;
      this.proposals.settleApplied((seq) => this.doc.isApplied(this.id, seq));
    }
    for (const entry of rd.committed) {
      if (entry.index <= this.doc.appliedIndex) continue;
      if (entry.kind !== 'command') {
        if (entry.kind === 'config') this.keeper.membershipChanged();
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
      if (command.client === this.id) this.proposals.settle(command.seq, result, entry.index);
    }
    if (changed) this.notesEvents.signal();
    for (const waiter of this.appliedWaiters) if (waiter.index <= this.doc.appliedIndex) waiter.resolve(true);
    if (this.doc.appliedIndex - this.compactedAt >= this.init.snapshotEvery) setImmediate(() => this.maybeCompact());
  }

  /**
   * maybeCompact snapshots the document every snapshotEvery entries; outside the Ready loop, so the core has
   * advanced. The image is taken at once; its parts changed since the last snapshot are written out and compressed
   * (SnapshotPacker), one at a time in zlib's thread pool, then the whole is handed to the core.
   */
  private maybeCompact(): void {
    if (this.stopping || this.fatalError !== null || this.compacting) return;
    const applied = Math.min(this.doc.appliedIndex, this.driver.node.status().appliedIndex);
    if (applied - this.compactedAt < this.init.snapshotEvery || applied !== this.doc.appliedIndex) return;
    this.compacting = true;
    this.packer.pack(this.doc.snapshotImage()).then((packed) => {
      // A snapshot restored meanwhile (from the leader) may be newer: the core keeps the newest.
      if (this.stopping || this.fatalError !== null || applied <= this.compactedAt) return;
      this.driver.node.compact(applied, packed);
      this.driver.kick();
      this.compactedAt = applied;
    }, (error: unknown) => this.log(`could not compress a snapshot, the log stays as it is: ${(error as Error).message}`))
      .finally(() => { this.compacting = false; });
  }

  private onFatal(error: Error): void {
    this.fatalError = error;
    this.log(`this peer stopped and acknowledges no more writes: ${error.message}`);
    // Whoever waits for a write hears it now, not after commitWaitMs: it may yet be committed by the others, or after a restart.
    this.proposals.stop();
    this.proposals.failWaiting(storageFailed(error));
    this.safeDispatchEvent('fatal', { detail: error });
    this.statusEvents.signal(); // the status now tells the failure
  }

  private emit(type: 'status' | 'notes'): void {
    this.safeDispatchEvent(type, { detail: null });
  }

  private log(text: string): void {
    this.safeDispatchEvent('log', { detail: { at: this.components.clock.now(), text } });
  }
}

/** noteOf is the note a committed write left, or the ServiceError its refusal is answered with. */
function noteOf(result: ApplyResult): Note {
  if (result.ok) return result.note;
  if (result.error === 'conflict') {
    throw new ServiceError('conflict', 'Someone changed the note at the same time. Look at the current text and try again.', { current: result.current });
  }
  throw new ServiceError('not-found', 'The note was deleted meanwhile.');
}

/** storageFailed is the refusal of a write once storage failed. */
function storageFailed(error: Error): ServiceError {
  return new ServiceError('storage-failed', `This peer stopped writing: ${error.message}`);
}

function notLeader(leaderId: string | null): ServiceError {
  return new ServiceError('not-leader', 'Only the leader can do this; ask the leader\'s peer (leaderId).', { leaderId });
}

/** pendingView is how a request waiting in the outbox shows in GET /api/notes. */
function pendingView(request: OutboxRequest): PendingRequest {
  return {
    requestId: String(request.seq),
    op: request.op.op,
    text: request.op.op === 'delete' ? null : request.op.text,
    ...(request.op.op === 'add' ? {} : { noteId: request.op.id, version: request.op.version }),
    createdAt: request.createdAt,
  };
}

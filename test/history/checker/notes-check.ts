// The checks of the document: what the clients were told, what the reads saw
// and what the members hold at the end must be one story. Every observed
// version of a note (an answer, a read, the end state) is traced to the
// operation that wrote its text (texts are unique, history.ts), which gives
// phantom, duplicated and CAS-chain violations; the acknowledged writes and
// the reads (and the current notes of 409 answers) are then looked for in
// the end state (lost, misplaced, read-lost).
import { noteId, originOf, type FinalEvent, type ObservedNote, type OpEvent } from './history.ts';
import type { Findings } from './verdicts.ts';

type Write = Extract<OpEvent, { kind: 'add' | 'edit' }>;
type Delete = Extract<OpEvent, { kind: 'delete' }>;

/** NotesCheckInput is what the document checks read of a history. */
export interface NotesCheckInput {
  ops: OpEvent[];
  /** The end state, or null when the run recorded none (divergent says so). */
  final: FinalEvent | null;
  /** Peers whose data directory was thrown away: their 202s went with their outbox. */
  discarded: Set<string>;
}

/** checkNotes adds the document's violations to `findings`. */
export function checkNotes({ ops, final, discarded }: NotesCheckInput, findings: Findings): void {
  const writers = new Map<string, Write>();
  for (const op of ops) if (op.kind === 'add' || op.kind === 'edit') writers.set(op.text, op);
  const deletes = new Map<number, Delete[]>();
  for (const op of ops) if (op.kind === 'delete' && op.outcome !== 'failed') deletes.set(op.seq, [...(deletes.get(op.seq) ?? []), op]);
  /** deletedFrom: whether a delete that may have taken effect named `seq` at `version` or later. */
  const deletedFrom = (seq: number, version: number) => (deletes.get(seq) ?? []).some((d) => d.version >= version);

  // The end state: every member's when they agree (divergent checks that), else the most advanced one's.
  const endPeer = [...final?.peers ?? []].sort((a, b) => b.commitIndex - a.commitIndex)[0];
  const end = new Map<number, ObservedNote>();
  for (const n of endPeer?.notes ?? []) end.set(n[0], n);

  // Every observation traced to its writer.
  const textAt = new Map<string, string>(); // `${seq}@${version}` -> text
  const placesOf = new Map<string, Set<number>>(); // origin -> seqs
  const highestVersion = new Map<number, [number, string]>(); // seq -> the highest version seen, its text
  const observe = ([seq, version, text]: ObservedNote, where: () => string): void => {
    const id = noteId(seq);
    const origin = originOf(text);
    const adder = writers.get(origin);
    const writer = writers.get(text);
    if (adder === undefined || adder.kind !== 'add' || writer === undefined) {
      findings.add('phantom', `${where()}: note ${id} v${version} holds "${text}", which no client wrote`);
      return;
    }
    if (adder.outcome === 'failed' || writer.outcome === 'failed') {
      const refused = writer.outcome === 'failed' ? writer : adder;
      findings.add('phantom', `${where()}: note ${id} v${version} holds "${text}", refused to client ${refused.client} (${refused.status})`);
      return;
    }
    if (writer.kind === 'add' && version !== 1) findings.add('cas-chain', `${where()}: note ${id} holds the add "${text}" at version ${version}, not 1`);
    if (writer.kind === 'edit' && (writer.seq !== seq || writer.version + 1 !== version)) {
      findings.add('cas-chain', `${where()}: note ${id} v${version} holds "${text}", an edit of ${noteId(writer.seq)} v${writer.version} (it makes v${writer.version + 1})`);
    }
    if ((highestVersion.get(seq)?.[0] ?? 0) < version) highestVersion.set(seq, [version, text]);
    const key = `${seq}@${version}`;
    const known = textAt.get(key);
    if (known === undefined) textAt.set(key, text);
    else if (known !== text) findings.add('cas-chain', `${where()}: note ${id} v${version} holds "${text}", elsewhere "${known}": two versions ${version}`);
    const places = placesOf.get(origin) ?? new Set<number>();
    if (!places.has(seq)) {
      places.add(seq);
      placesOf.set(origin, places);
      if (places.size === 2) findings.add('duplicated', `the add "${origin}" (${adder.outcome}) appears as notes ${[...places].map(noteId).join(' and ')}`);
    }
  };
  // Observations are checked as they are met (a long run's reads see many notes): where each was seen is written only for a finding.
  for (const op of ops) {
    if ((op.kind === 'add' || op.kind === 'edit') && op.note !== undefined) observe(op.note, () => `the answer to client ${op.client} at ${op.complete} ms`);
    if (op.kind === 'read') for (const n of op.notes ?? []) observe(n, () => `a read of client ${op.client} from ${op.peer} at ${op.complete} ms`);
    if ((op.kind === 'edit' || op.kind === 'delete') && op.current !== undefined) observe(op.current, () => `the 409 answer to client ${op.client} at ${op.complete} ms`);
  }
  for (const n of end.values()) observe(n, () => 'the end state');

  // Nothing of a note after a delete of it took effect; one delete per note.
  for (const [seq, ds] of deletes) {
    const okDeletes = ds.filter((d) => d.outcome === 'ok');
    if (okDeletes.length > 1) findings.add('cas-chain', `note ${noteId(seq)} was deleted twice, to clients ${okDeletes.map((d) => d.client).join(' and ')}`);
    const highest = highestVersion.get(seq);
    for (const d of okDeletes) {
      if (highest !== undefined && highest[0] > d.version) {
        findings.add('cas-chain', `note ${noteId(seq)} has version ${highest[0]} ("${highest[1]}") after its delete at version ${d.version} (client ${d.client}, ${d.complete} ms)`);
      }
    }
  }

  if (final === null) return;
  const endOrigins = new Map<string, number>();
  for (const [seq, , text] of end.values()) endOrigins.set(originOf(text), seq);
  for (const op of ops) {
    if (op.kind === 'add' && op.outcome === 'ok' && op.note !== undefined) {
      const seq = op.note[0];
      const there = end.get(seq);
      if (originOf(op.note[2]) !== op.text) findings.add('misplaced', `client ${op.client}'s add "${op.text}" was acknowledged as note ${noteId(seq)} holding "${op.note[2]}"`);
      else if (there !== undefined && originOf(there[2]) === op.text) continue;
      else if (there === undefined && deletedFrom(seq, 1)) continue;
      else if (endOrigins.has(op.text)) findings.add('misplaced', `client ${op.client}'s add "${op.text}", acknowledged as note ${noteId(seq)}, ends as note ${noteId(endOrigins.get(op.text)!)}`);
      else findings.add('lost', `client ${op.client}'s add "${op.text}", acknowledged as note ${noteId(seq)} at ${op.complete} ms, is not in the end state`);
    }
    if (op.kind === 'add' && op.outcome === 'pending' && !discarded.has(op.peerId)) {
      const places = [...(placesOf.get(op.text) ?? [])];
      if (endOrigins.has(op.text) || places.some((seq) => !end.has(seq) && deletedFrom(seq, 1))) continue;
      findings.add('lost', `client ${op.client}'s add "${op.text}", answered 202 by ${op.peer} at ${op.complete} ms, is not in the end state`);
    }
    if (op.kind === 'edit' && op.outcome === 'ok' && op.note !== undefined) {
      const [seq, version] = op.note;
      const there = end.get(seq);
      if (there !== undefined ? there[1] < version : !deletedFrom(seq, version)) {
        findings.add('lost', `client ${op.client}'s edit of ${noteId(seq)} to version ${version}, acknowledged at ${op.complete} ms, is not in the end state (${there === undefined ? 'no such note' : `at version ${there[1]}`})`);
      }
    }
    if (op.kind === 'delete' && op.outcome === 'ok' && end.has(op.seq)) {
      findings.add('lost', `client ${op.client}'s delete of ${noteId(op.seq)} v${op.version}, acknowledged at ${op.complete} ms, is undone: the note is in the end state`);
    }
    const seen = op.kind === 'read' ? op.notes ?? [] : (op.kind === 'edit' || op.kind === 'delete') && op.current !== undefined ? [op.current] : [];
    if (seen.length > 0) {
      for (const [seq, version, text] of seen) {
        const there = end.get(seq);
        if (there !== undefined ? there[1] >= version : deletedFrom(seq, version)) continue;
        findings.add('read-lost', `${op.kind === 'read' ? 'a read' : 'the 409 answer'} of client ${op.client} from ${op.peer} at ${op.complete} ms saw ${noteId(seq)} v${version} "${text}"; the end state has ${there === undefined ? 'no such note' : `v${there[1]}`}`);
      }
    }
  }
}

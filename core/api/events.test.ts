// The event feed over a stand-in service whose document is as big as a test
// needs: a new subscriber's first picture of a big document comes in parts,
// one per turn of the event loop, and a change made meanwhile follows them.
import { TypedEventEmitter } from '@libp2p/interface';
import { describe, expect, it } from 'vitest';
import { NotesMirror } from '../../client/notes-mirror.ts';
import { noteRows } from '../notes/index.ts';
import type { NotesService, ServiceEvents } from '../service/notes-service.ts';
import { notesInParts } from '../service/notes-parts.ts';
import type { Note, NotesPart, PeerStatus } from '../service/views.ts';
import { eventFeed, FIRST_PICTURE_PART, type ApiEvent } from './events.ts';

const note = (n: number): Note => ({ id: `n${n}`, seq: n, number: n, text: `note ${n}`, author: 'Ada', createdAt: n, updatedAt: n, version: 1 });

/** FakeService holds a document of `notes` and answers what the feed asks of a NotesService. */
class FakeService extends TypedEventEmitter<ServiceEvents> {
  notes: Note[];
  revision: number;
  constructor(count: number) {
    super();
    this.notes = Array.from({ length: count }, (_, i) => note(i + 1));
    this.revision = count;
  }

  status(): PeerStatus {
    return { role: 'leader' } as PeerStatus;
  }

  recentLog() {
    return [];
  }

  notesSince(revision: number | null, partNotes = Number.POSITIVE_INFINITY): NotesPart {
    const head = { revision: this.revision, pending: [], conflicts: [], commitIndex: this.revision };
    if (revision === null) return notesInParts(noteRows([...this.notes]), { ...head, reset: true, deleted: [] }, partNotes);
    return notesInParts(noteRows(this.notes.filter((n) => n.seq > revision)), { ...head, reset: false, deleted: [] }, partNotes);
  }

  add(): void {
    this.notes.push(note(++this.revision));
    this.safeDispatchEvent('notes', { detail: null });
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const notesEvents = (events: ApiEvent[]) => events.flatMap((e) => (e.event === 'notes' ? [e.data] : []));

describe('EventFeed', () => {
  it('sends a big first picture in parts, the first at once and one more per turn of the event loop, that add up to the document', async () => {
    const count = FIRST_PICTURE_PART * 2 + 10;
    const service = new FakeService(count);
    const events: ApiEvent[] = [];
    const stop = eventFeed(service as unknown as NotesService)((event) => events.push(event));

    // While subscribing: the status and the first part only.
    expect(notesEvents(events).map((c) => [c.reset, c.notes.length, c.more])).toEqual([[true, FIRST_PICTURE_PART, true]]);
    await turn();
    expect(notesEvents(events)).toHaveLength(2);
    await turn();
    const parts = notesEvents(events);
    expect(parts.map((c) => [c.reset, c.notes.length, c.more])).toEqual([
      [true, FIRST_PICTURE_PART, true], [false, FIRST_PICTURE_PART, true], [false, 10, false],
    ]);
    expect(new Set(parts.map((c) => c.revision))).toEqual(new Set([count]));

    // A client's copy: the first screen from the first part, nothing from the middle one, every note in order from the last.
    const mirror = new NotesMirror();
    const copies = parts.map((c) => mirror.apply(c));
    expect(copies[0]!.notes).toHaveLength(FIRST_PICTURE_PART);
    expect(copies[1]).toBeNull();
    expect(copies[2]!.notes.map((n) => n.id)).toEqual(service.notes.map((n) => n.id));
    stop();
  });

  it('sends a change made while the parts are under way after the last part, and nothing more once unsubscribed', async () => {
    const service = new FakeService(FIRST_PICTURE_PART + 1);
    const events: ApiEvent[] = [];
    const stop = eventFeed(service as unknown as NotesService)((event) => events.push(event));
    service.add();
    expect(notesEvents(events)).toHaveLength(1);
    await turn();
    await turn();
    const parts = notesEvents(events);
    expect(parts.map((c) => [c.reset, c.notes.map((n) => n.id).slice(-1)[0], c.more])).toEqual([
      [true, `n${FIRST_PICTURE_PART}`, true], [false, `n${FIRST_PICTURE_PART + 1}`, false], [false, `n${FIRST_PICTURE_PART + 2}`, false],
    ]);
    const mirror = new NotesMirror();
    expect(parts.map((c) => mirror.apply(c)).at(-1)!.notes).toHaveLength(FIRST_PICTURE_PART + 2);

    // Unsubscribed during a first picture: its remaining parts are not sent.
    const late: ApiEvent[] = [];
    eventFeed(service as unknown as NotesService)((event) => late.push(event))();
    await turn();
    expect(notesEvents(late)).toHaveLength(1);
    stop();
  });

  it('sends a small document whole, in one event', () => {
    const events: ApiEvent[] = [];
    const stop = eventFeed(new FakeService(3) as unknown as NotesService)((event) => events.push(event));
    expect(notesEvents(events).map((c) => [c.reset, c.notes.length, c.more])).toEqual([[true, 3, false]]);
    stop();
  });
});

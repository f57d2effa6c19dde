// What the list "Notes" shows of the document: the notes that match the
// search (words anywhere in the text or the author's name, in any case), the
// author chosen, and "only pending", newest or oldest first.
import type { Note, PendingRequest } from '../../../client/client-api.ts';

/** NotesFilter is the list's search, filters and order. */
export interface NotesFilter {
  query: string;
  /** An author's name, or '' for everyone. */
  author: string;
  /** Only notes with a write of this peer still pending. */
  pendingOnly: boolean;
  order: 'oldest' | 'newest';
}

export const NO_FILTER: NotesFilter = { query: '', author: '', pendingOnly: false, order: 'oldest' };

/** isFiltering says whether `filter` hides any note. */
export function isFiltering(filter: NotesFilter): boolean {
  return filter.query.trim() !== '' || filter.author !== '' || filter.pendingOnly;
}

/** filterNotes is `notes` (in log order) as the list shows them. */
export function filterNotes(notes: readonly Note[], filter: NotesFilter, pendingByNote: ReadonlyMap<string, PendingRequest[]>): Note[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const shown = !isFiltering(filter) ? [...notes] : notes.filter((n) => {
    if (filter.author !== '' && n.author !== filter.author) return false;
    if (filter.pendingOnly && !pendingByNote.has(n.id)) return false;
    if (words.length === 0) return true;
    const haystack = `${n.text}\n${n.author}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
  if (filter.order === 'newest') shown.reverse();
  return shown;
}

/** authorsOf is every author's name once, sorted. */
export function authorsOf(notes: readonly Note[]): string[] {
  const names = new Set<string>();
  // Notes come in runs by one author: a Set lookup per change of author, not per note (100,000 notes in a few ms).
  let last: string | null = null;
  for (const n of notes) {
    if (n.author === last) continue;
    last = n.author;
    names.add(last);
  }
  return [...names].sort((a, b) => a.localeCompare(b));
}

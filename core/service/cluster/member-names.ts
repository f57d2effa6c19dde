// MemberNames holds the display names of the notebook's peers, as they tell
// them (join requests, join answers, status records): the cluster view and the
// log lines show names, not peer ids. The names are durable: a peer restarted
// while the others are down still shows them by name. The running notebook
// receives its MemberNames with the names kept so far and where to keep
// changes (NotesService: `<data>/member-names.json`; tests: nowhere).

/** MAX_NAME_LENGTH is the longest display name kept; a longer one a peer tells is cut. */
export const MAX_NAME_LENGTH = 128;

/** MemberNamesInit is the names known at the start, and where to keep them when they change. */
export interface MemberNamesInit {
  initial?: Record<string, string>;
  /** Called with every name after each change. */
  save?: (names: Record<string, string>) => void;
}

/** MemberNames maps peer ids to display names. */
export class MemberNames {
  private readonly names = new Map<string, string>();
  private readonly save: ((names: Record<string, string>) => void) | undefined;

  constructor(init: MemberNamesInit = {}) {
    for (const [id, name] of Object.entries(init.initial ?? {})) this.put(id, name);
    this.save = init.save;
  }

  /** set records `id`'s name, keeping it when it changed; an empty name is ignored. */
  set(id: string, name: string): void {
    if (this.put(id, name)) this.save?.(this.toJSON());
  }

  /** get is `id`'s name, if known. */
  get(id: string): string | undefined {
    return this.names.get(id);
  }

  /** label is `id`'s name, or the id itself, for log lines. */
  label(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** toJSON is every name known, by peer id. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.names);
  }

  /** put records a name; true when it changed. */
  private put(id: string, name: string): boolean {
    const kept = name.trim().slice(0, MAX_NAME_LENGTH);
    if (id.length === 0 || kept.length === 0 || this.names.get(id) === kept) return false;
    this.names.set(id, kept);
    return true;
  }
}

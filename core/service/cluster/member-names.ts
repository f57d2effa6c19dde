// MemberNames holds the display names of the notebook's peers, as they tell
// them (join requests, join answers, status records): the cluster view and the
// log lines show names, not peer ids.

/** MemberNames maps peer ids to display names. */
export class MemberNames {
  private readonly names = new Map<string, string>();

  /** set records `id`'s name; an empty name is ignored. */
  set(id: string, name: string): void {
    if (name.length > 0) this.names.set(id, name);
  }

  /** get is `id`'s name, if known. */
  get(id: string): string | undefined {
    return this.names.get(id);
  }

  /** label is `id`'s name, or the id itself, for log lines. */
  label(id: string): string {
    return this.names.get(id) ?? id;
  }
}

// DataDir is the layout of a peer's data directory (docs/architecture.md,
// "The data directory") and the two small files the service owns there: the
// API token and the peer profile.
//
//   <data>/peer-key          libp2p identity (core/net)
//   <data>/notebook.json     the notebook: id, name, key (core/net)
//   <data>/profile.json      {"format":1,"name":"Ada's laptop","origin":"created"|"joined","invite":"rn1…"}
//   <data>/raft/             log segments, hard state, snapshots (core/storage)
//   <data>/outbox.log        requests not yet committed (outbox.ts)
//   <data>/api-token         bearer token of the local API
//   <data>/member-names.json {"format":1,"names":{"<peer id>":"Ada's laptop",…}}: the members' display names
//   <data>/last-addrs.json   where the peer last listened (cli/invite.ts)
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../storage/index.ts';

/** Profile is how this peer came to its notebook, and its display name. */
export interface Profile {
  name: string;
  /** 'created': it started the notebook alone; 'joined': it was invited (starts as a learner). */
  origin: 'created' | 'joined';
  /** The invite it joined with: its addresses are where to ask first. */
  invite?: string;
}

/** DataDirError says the data directory cannot be used; its message says what to do. */
export class DataDirError extends Error {
  static override name = 'DataDirError';
  override name = 'DataDirError';
}

export const PROFILE_FILE = 'profile.json';
export const TOKEN_FILE = 'api-token';
export const RAFT_DIR = 'raft';
export const MEMBER_NAMES_FILE = 'member-names.json';

/** ensureDataDir creates the directory (mode 0700) if it is missing. */
export async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataDirError(`cannot create the data directory ${dir}: ${(error as Error).message}. Pass --data with a directory you can write to.`);
  }
}

/** loadOrCreateToken returns the API token, creating it on first start. */
export async function loadOrCreateToken(dir: string): Promise<string> {
  const path = join(dir, TOKEN_FILE);
  const existing = await readOptional(path);
  if (existing !== null) {
    const token = existing.trim();
    if (/^[A-Za-z0-9_-]{32,128}$/.test(token)) return token;
    throw new DataDirError(`${path} does not hold a valid token; delete it and a new one is made at the next start.`);
  }
  const token = randomBytes(24).toString('base64url');
  writeFileDurably(dir, TOKEN_FILE, [Buffer.from(`${token}\n`)], 0o600);
  return token;
}

/** readProfile returns the profile, or null on a first start. */
export async function readProfile(dir: string): Promise<Profile | null> {
  const path = join(dir, PROFILE_FILE);
  const text = await readOptional(path);
  if (text === null) return null;
  try {
    const p = JSON.parse(text) as Partial<Profile> & { format?: number };
    if (p.format === 1 && typeof p.name === 'string' && (p.origin === 'created' || p.origin === 'joined')) {
      return { name: p.name, origin: p.origin, ...(typeof p.invite === 'string' ? { invite: p.invite } : {}) };
    }
  } catch {
    // fall through
  }
  throw new DataDirError(`${path} is damaged; fix it or delete it (the peer then asks again how it joins its notebook).`);
}

/** writeProfile stores the profile durably. */
export async function writeProfile(dir: string, profile: Profile): Promise<void> {
  writeFileDurably(dir, PROFILE_FILE, [Buffer.from(JSON.stringify({ format: 1, ...profile }))], 0o600);
}

/** readMemberNames returns the members' names kept so far: {} on a first start, null when the file is damaged (the names are learned again). */
export async function readMemberNames(dir: string): Promise<Record<string, string> | null> {
  const text = await readOptional(join(dir, MEMBER_NAMES_FILE));
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as { format?: unknown; names?: unknown } | null;
    const names = value?.names;
    if (value?.format === 1 && typeof names === 'object' && names !== null && !Array.isArray(names)
      && Object.values(names).every((name) => typeof name === 'string')) return names as Record<string, string>;
  } catch {
    // damaged: null below
  }
  return null;
}

/** writeMemberNames keeps the members' names durably. */
export function writeMemberNames(dir: string, names: Record<string, string>): void {
  writeFileDurably(dir, MEMBER_NAMES_FILE, [Buffer.from(JSON.stringify({ format: 1, names }))], 0o600);
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DataDirError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

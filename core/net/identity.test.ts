import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityFileError } from './errors.ts';
import { loadOrCreatePeerKey, PEER_KEY_FILE } from './identity.ts';

describe('Identity', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'rn-identity-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('creates an Ed25519 key on first start and keeps it', async () => {
    const data = join(dir, 'data');
    const first = await loadOrCreatePeerKey(data);
    expect(first.type).toBe('Ed25519');
    const again = await loadOrCreatePeerKey(data);
    expect(peerIdFromPrivateKey(again).toString()).toBe(peerIdFromPrivateKey(first).toString());
    expect((await stat(join(data, PEER_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(data)).mode & 0o777).toBe(0o700);
  });

  it('keeps one key when two starts race', async () => {
    const keys = await Promise.all([loadOrCreatePeerKey(dir), loadOrCreatePeerKey(dir), loadOrCreatePeerKey(dir)]);
    const ids = new Set(keys.map((k) => peerIdFromPrivateKey(k).toString()));
    expect(ids.size).toBe(1);
  });

  it('tightens a key file that others can read', async () => {
    await loadOrCreatePeerKey(dir);
    await chmod(join(dir, PEER_KEY_FILE), 0o644);
    await loadOrCreatePeerKey(dir);
    expect((await stat(join(dir, PEER_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['empty', () => new Uint8Array(0), /is empty/],
    ['garbage', () => new TextEncoder().encode('not a key at all'), /not a libp2p private key/],
    ['truncated', (b: Uint8Array) => b.subarray(0, 40), /damaged/],
    ['bit-flipped', (b: Uint8Array) => { const c = b.slice(); c[c.length - 1]! ^= 1; return c; }, /does not match/],
  ])('refuses a %s key file and names it', async (_name, damage, message) => {
    await loadOrCreatePeerKey(dir);
    const file = join(dir, PEER_KEY_FILE);
    await writeFile(file, damage(await readFile(file)));
    const err = await loadOrCreatePeerKey(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdentityFileError);
    expect((err as IdentityFileError).file).toBe(file);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/Restore it from a backup/);
  });
});

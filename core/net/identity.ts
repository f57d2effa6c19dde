// The peer's identity: an Ed25519 libp2p private key, created on first start
// and kept in the data directory as `<data>/peer-key` (mode 0600). The file
// holds the key in libp2p's protobuf form (PrivateKey { Type = Ed25519,
// Data = seed || public key }), as written by privateKeyToProtobuf. Created
// once, durably (core/storage's writeFileDurably, exclusive): of two processes
// starting at once, one writes the key and the other reads it.
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, generateKeyPairFromSeed, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { writeFileDurably } from '../storage/index.ts';
import { IdentityFileError } from './errors.ts';

/** PEER_KEY_FILE is the name of the key file inside the data directory. */
export const PEER_KEY_FILE = 'peer-key';

/**
 * parsePeerKey reads a key file's bytes and checks that it is an intact
 * Ed25519 key (its public half must follow from its seed); `file` names the
 * file in the IdentityFileError it throws otherwise.
 */
export async function parsePeerKey(bytes: Uint8Array, file: string): Promise<PrivateKey> {
  if (bytes.byteLength === 0) throw new IdentityFileError(file, 'it is empty');
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (err) {
    throw new IdentityFileError(file, 'it is not a libp2p private key', { cause: err });
  }
  if (key.type !== 'Ed25519') throw new IdentityFileError(file, `it holds a ${key.type} key, not an Ed25519 key`);
  if (key.raw.byteLength !== 64) throw new IdentityFileError(file, 'the key has the wrong length');
  const again = await generateKeyPairFromSeed('Ed25519', key.raw.subarray(0, 32));
  if (!again.publicKey.equals(key.publicKey)) {
    throw new IdentityFileError(file, 'its public key does not match its private key');
  }
  return key;
}

/**
 * loadOrCreatePeerKey returns the peer's private key from `dataDir`, creating
 * the directory (0700) and a new Ed25519 key (0600) on first start. A damaged
 * key file throws IdentityFileError naming the file and what to do; it is
 * never replaced silently, since that would make this device another peer.
 */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, PEER_KEY_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new IdentityFileError(file, `it cannot be read (${(err as Error).message})`, { cause: err });
      }
      const key = await generateKeyPair('Ed25519');
      if (writeFileDurably(dataDir, PEER_KEY_FILE, [privateKeyToProtobuf(key)], 0o600, { exclusive: true })) return key;
      continue; // another process created it first: read that one
    }
    const key = await parsePeerKey(bytes, file);
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    return key;
  }
  throw new IdentityFileError(file, 'it appeared and vanished while starting');
}

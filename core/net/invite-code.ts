// Invite codes: one copy-pasteable string that lets a device join a notebook.
// Parsing and formatting only; no I/O.
//
//   code    = "rn1" base32(payload || crc32(payload))      lowercase RFC 4648 base32, no padding
//   payload = version (1 byte, = 1) || InviteBody (pb/invite.proto, codec generated in pb/invite.ts)
//
// CRC-32 (IEEE, big-endian) detects every error of up to 32 consecutive bits,
// so any one changed character (5 bits) is always caught. Whitespace is
// ignored and letters may come in either case, so a code survives line wraps.
import { crc32 } from 'node:zlib';
import { multiaddr } from '@multiformats/multiaddr';
import { writer as createWriter } from 'protons-runtime';
import { InvalidInviteError } from './errors.ts';
import { notebookProblem } from './notebook.ts';
import type { Notebook } from './notebook.ts';
import * as pb from './pb/invite.ts';
import { WireSchema } from './wire-schema.ts';

/** Invite is what an invite code carries: the notebook and where to find the inviter. */
export interface Invite {
  notebook: Notebook;
  /** The inviter's peer id, when known. */
  peerId?: string;
  /** The inviter's multiaddrs; when `peerId` is set each ends in /p2p/<peerId>. */
  addrs: string[];
}

/** INVITE_PREFIX starts every invite code; the digit is the format version. */
export const INVITE_PREFIX = 'rn1';

/** MAX_INVITE_ADDRS bounds how many addresses one invite code carries. */
export const MAX_INVITE_ADDRS = 16;

const VERSION = 1;
const P2P = 421;
const WIRE = new WireSchema(pb.schema);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new InvalidInviteError(`it contains "${ch}", which is not part of any invite code`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 255);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) throw new InvalidInviteError('it has a character missing or one too many at the end');
  return Uint8Array.from(out);
}

function stripP2p(addr: string, peerId: string | undefined): Uint8Array | null {
  const ma = multiaddr(addr);
  const components = ma.getComponents();
  const p2p = components.find((c) => c.code === P2P);
  if (p2p !== undefined && peerId !== undefined && p2p.value !== peerId) {
    throw new TypeError(`address ${addr} names peer ${p2p.value}, not the inviter ${peerId}`);
  }
  const bare = ma.decapsulateCode(P2P);
  const text = bare.toString();
  if (text === '/' || text.startsWith('/ip4/0.0.0.0/') || text.startsWith('/ip6/::/')) return null;
  return bare.bytes;
}

/** formatInvite encodes an invite as a code; unspecified addresses (0.0.0.0, ::) are left out. */
export function formatInvite(invite: Invite): string {
  const problem = notebookProblem(invite.notebook);
  if (problem !== null) throw new TypeError(`cannot invite to an invalid notebook: ${problem}`);
  const addrs: Uint8Array[] = [];
  for (const addr of invite.addrs) {
    const bytes = stripP2p(addr, invite.peerId);
    if (bytes !== null && addrs.length < MAX_INVITE_ADDRS) addrs.push(bytes);
  }
  const w = createWriter();
  w.uint32(VERSION);
  pb.InviteBody.codec().encode({
    notebookId: Uint8Array.from(Buffer.from(invite.notebook.id, 'hex')),
    name: invite.notebook.name,
    key: invite.notebook.key as Uint8Array<ArrayBuffer>,
    inviter: invite.peerId === undefined ? undefined : multiaddr(`/p2p/${invite.peerId}`).bytes as Uint8Array<ArrayBuffer>,
    addrs: addrs as Uint8Array<ArrayBuffer>[],
  }, w, { lengthDelimited: false });
  const payload = w.finish();
  const sum = new Uint8Array(4);
  new DataView(sum.buffer).setUint32(0, crc32(payload));
  return INVITE_PREFIX + base32(Uint8Array.from([...payload, ...sum]));
}

function bounded(bytes: Uint8Array, max: number, what: string): Uint8Array {
  if (bytes.byteLength > max) throw new TypeError(`${what} is ${bytes.byteLength} bytes, more than ${max}`);
  return bytes;
}

function readBody(payload: Uint8Array): Invite {
  const body = WIRE.decode(pb.InviteBody.codec(), 'InviteBody', payload.subarray(1), { limits: { addrs: MAX_INVITE_ADDRS } });
  const { notebookId, name, key, inviter } = WIRE.require('InviteBody', body, 'notebookId', 'name', 'key');
  let peerId: string | undefined;
  if (inviter !== undefined) {
    const p2p = multiaddr(bounded(inviter, 200, 'inviter')).getComponents();
    if (p2p.length !== 1 || p2p[0]!.code !== P2P || p2p[0]!.value === undefined) throw new TypeError('inviter is not a peer id');
    peerId = p2p[0]!.value;
  }
  const bare = body.addrs.map((a) => multiaddr(bounded(a, 300, 'address')).toString());
  const notebook: Notebook = { id: Buffer.from(notebookId).toString('hex'), name, key };
  const problem = notebookProblem(notebook);
  if (problem !== null) throw new TypeError(problem);
  const addrs = peerId === undefined ? bare : bare.map((a) => `${a}/p2p/${peerId}`);
  return peerId === undefined ? { notebook, addrs } : { notebook, peerId, addrs };
}

/**
 * parseInvite decodes an invite code. It throws InvalidInviteError, saying
 * what is wrong and what to do, for a code that was mistyped, cut short or
 * made by another version.
 */
export function parseInvite(code: string): Invite {
  if (typeof code !== 'string') throw new InvalidInviteError('it is not text');
  const text = code.replace(/\s+/g, '').toLowerCase();
  if (text.length === 0) throw new InvalidInviteError('it is empty');
  if (!text.startsWith(INVITE_PREFIX)) {
    if (/^rn\d/.test(text)) throw new InvalidInviteError('it was made by another version of Raftnotes; update both devices');
    throw new InvalidInviteError(`it does not start with "${INVITE_PREFIX}"`);
  }
  const raw = unbase32(text.slice(INVITE_PREFIX.length));
  if (raw.byteLength < 6) throw new InvalidInviteError('it is too short: part of it is missing');
  const payload = raw.subarray(0, raw.byteLength - 4);
  const sum = new DataView(raw.buffer, raw.byteOffset + payload.byteLength, 4).getUint32(0);
  if (crc32(payload) !== sum) throw new InvalidInviteError('its checksum does not match, so a character was changed, added or lost');
  if (payload[0] !== VERSION) throw new InvalidInviteError('it was made by another version of Raftnotes; update both devices');
  try {
    return readBody(payload);
  } catch (err) {
    throw new InvalidInviteError(`its content is damaged (${(err as Error).message})`);
  }
}

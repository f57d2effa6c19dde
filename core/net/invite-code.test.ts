import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidInviteError } from './errors.ts';
import { formatInvite, INVITE_PREFIX, parseInvite } from './invite-code.ts';
import type { Invite } from './invite-code.ts';
import { createNotebook } from './notebook.ts';

const PEER = '12D3KooWBC9ypyE7tRUsDL78g2dv2x1SyE3Ee9m3ozds3bjLqCMA';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** codeOf makes the code of any payload (version byte and InviteBody), with a valid checksum. */
function codeOf(payload: number[]): string {
  const sum = crc32(Uint8Array.from(payload));
  const raw = [...payload, sum >>> 24, (sum >>> 16) & 255, (sum >>> 8) & 255, sum & 255];
  let bits = '';
  for (const b of raw) bits += b.toString(2).padStart(8, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  let out = INVITE_PREFIX;
  for (let i = 0; i < bits.length; i += 5) out += ALPHABET[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

function sample(): Invite {
  return {
    notebook: createNotebook('Team notes ✎'),
    peerId: PEER,
    addrs: [`/ip4/192.168.1.20/tcp/41261/p2p/${PEER}`, '/ip6/fe80::1/tcp/41261', `/ip4/127.0.0.1/tcp/41261/p2p/${PEER}`],
  };
}

describe('InviteCode', () => {
  it('round-trips the notebook, the inviter and its addresses', () => {
    const invite = sample();
    const code = formatInvite(invite);
    expect(code.startsWith(INVITE_PREFIX)).toBe(true);
    expect(code).toMatch(/^[a-z0-9]+$/);
    expect(parseInvite(code)).toEqual({
      notebook: invite.notebook,
      peerId: PEER,
      addrs: [`/ip4/192.168.1.20/tcp/41261/p2p/${PEER}`, `/ip6/fe80::1/tcp/41261/p2p/${PEER}`, `/ip4/127.0.0.1/tcp/41261/p2p/${PEER}`],
    });
  });

  it('reads codes handed out before the codec was generated, and still writes them the same', () => {
    const notebook = { id: '0123456789abcdef0123456789abcdef', name: 'Team notes ✎', key: Uint8Array.from({ length: 32 }, (_, i) => i) };
    const withInviter = 'rn1aefbaajdivtytk6n54asgrlhrgv433ysbzkgkylnebxg65dfomqofheodiqaaaicamcakbqhbaequcymbuha6earcijrifiwc4mbsgq3dq' +
      'or4hzcfgsqgjqaeqeaceracryk554vudemilcgbv4j6ddbtvab7nnub2np7cifpqymqunh7cgsucaeycuacfaguewsufbj72aaaaaaaaaaaaaaaaaaaaaaaedkclk3ihj2o';
    const bare = 'rn1aefbaajdivtytk6n54asgrlhrgv433ysbzkgkylnebxg65dfomqofheodiqaaaicamcakbqhbaequcymbuha6earcijrifiwc4mbsgq3dqor4hz6obn5u';
    const invite: Invite = { notebook, peerId: PEER, addrs: [`/ip4/192.168.1.20/tcp/41261/p2p/${PEER}`, `/ip6/fe80::1/tcp/41261/p2p/${PEER}`] };
    expect(parseInvite(withInviter)).toEqual(invite);
    expect(parseInvite(bare)).toEqual({ notebook, addrs: [] });
    expect(formatInvite(invite)).toBe(withInviter);
    expect(formatInvite({ notebook, addrs: [] })).toBe(bare);
  });

  it('round-trips an invite without inviter or addresses', () => {
    const notebook = createNotebook('n');
    expect(parseInvite(formatInvite({ notebook, addrs: [] }))).toEqual({ notebook, addrs: [] });
  });

  it('leaves out unspecified listen addresses', () => {
    const invite = { ...sample(), addrs: ['/ip4/0.0.0.0/tcp/1', `/ip4/10.0.0.2/tcp/2/p2p/${PEER}`] };
    expect(parseInvite(formatInvite(invite)).addrs).toEqual([`/ip4/10.0.0.2/tcp/2/p2p/${PEER}`]);
  });

  it('survives line wraps, spaces and upper case', () => {
    const code = formatInvite(sample());
    const wrapped = `  ${code.slice(0, 40).toUpperCase()}\n${code.slice(40, 80)} \r\n${code.slice(80)}\n`;
    expect(parseInvite(wrapped)).toEqual(parseInvite(code));
  });

  it('rejects a code with any one character changed', () => {
    const code = formatInvite(sample());
    let tried = 0;
    for (let i = 0; i < code.length; i++) {
      for (const step of [1, 7, 16]) {
        const old = code[i]!;
        const pool = i < INVITE_PREFIX.length ? `${ALPHABET}0189` : ALPHABET;
        const ch = pool[(pool.indexOf(old) + step) % pool.length]!;
        const changed = code.slice(0, i) + ch + code.slice(i + 1);
        expect(() => parseInvite(changed), `position ${i}: ${old} -> ${ch}`).toThrow(InvalidInviteError);
        tried++;
      }
    }
    expect(tried).toBe(code.length * 3);
  });

  it('rejects a code with a character lost or added', () => {
    const code = formatInvite(sample());
    for (let i = INVITE_PREFIX.length; i < code.length; i += 5) {
      expect(() => parseInvite(code.slice(0, i) + code.slice(i + 1))).toThrow(InvalidInviteError);
      expect(() => parseInvite(code.slice(0, i) + 'q' + code.slice(i))).toThrow(InvalidInviteError);
    }
  });

  it('rejects a body with a field twice, a field missing or a wrong wire type', () => {
    const id = [0x0a, 16, ...new Array(16).fill(1)];
    const name = [0x12, 1, 0x6e];
    const key = [0x1a, 32, ...new Array(32).fill(2)];
    expect(parseInvite(codeOf([1, ...id, ...name, ...key])).notebook.name).toBe('n');
    expect(() => parseInvite(codeOf([1, ...id, ...name, ...key, ...name]))).toThrow(/content is damaged \(InviteBody has field 2 twice\)/);
    expect(() => parseInvite(codeOf([1, ...id, ...key]))).toThrow(/content is damaged \(InviteBody lacks field 2 \(name\)\)/);
    expect(() => parseInvite(codeOf([1, ...id, ...name, ...key, 0x20, 0x01]))).toThrow(/InviteBody.inviter has wire type 0, expected 2/);
  });

  it('says what is wrong and what to do', () => {
    const code = formatInvite(sample());
    const last = code.at(-3) === 'a' ? 'b' : 'a';
    const mistyped = code.slice(0, -3) + last + code.slice(-2);
    expect(() => parseInvite(mistyped)).toThrow(/checksum does not match.*Copy the whole code again/);
    expect(() => parseInvite(code.slice(0, 20))).toThrow(InvalidInviteError);
    expect(() => parseInvite('hello')).toThrow(/does not start with "rn1"/);
    expect(() => parseInvite(`${code}!`)).toThrow(/"!"/);
    expect(() => parseInvite('rn2abc')).toThrow(/another version/);
    expect(() => parseInvite('')).toThrow(/empty/);
  });
});

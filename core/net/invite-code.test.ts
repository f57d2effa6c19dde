import { describe, expect, it } from 'vitest';
import { InvalidInviteError } from './errors.ts';
import { formatInvite, INVITE_PREFIX, parseInvite } from './invite-code.ts';
import type { Invite } from './invite-code.ts';
import { createNotebook } from './notebook.ts';

const PEER = '12D3KooWBC9ypyE7tRUsDL78g2dv2x1SyE3Ee9m3ozds3bjLqCMA';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

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

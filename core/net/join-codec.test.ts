import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFrameError } from './errors.ts';
import { decodeJoinRequest, decodeJoinResponse, encodeJoinRequest, encodeJoinResponse, MAX_JOIN_ADDRS } from './join-codec.ts';
import type { JoinRequest, JoinResponse } from './join-codec.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (...v: number[]) => Uint8Array.from(v);

/** Messages and the bytes the hand-written encoder of /raftnotes/join/1 wrote for them, before the codec was generated. */
const REQUESTS: [JoinRequest, string][] = [
  [{ peerId: 'peer-a', name: 'Ann’s laptop', addrs: ['/ip4/10.0.0.1/tcp/4001', '/ip6/::1/tcp/4001'] },
    '0a06706565722d61120e416e6ee2809973206c6170746f701a162f6970342f31302e302e302e312f7463702f343030311a112f6970362f3a3a312f7463702f34303031'],
  [{ peerId: 'peer-a', name: '', addrs: [] }, '0a06706565722d611200'],
];
const RESPONSES: [JoinResponse, string][] = [
  [{ ok: true, members: [{ id: 'peer-b', name: 'B', addrs: ['/ip4/10.0.0.2/tcp/4001'], voter: true }, { id: 'peer-c', addrs: [], voter: false }] },
    '08011a250a06706565722d621201421a162f6970342f31302e302e302e322f7463702f3430303120011a0a0a06706565722d632000'],
  [{ ok: false, leaderId: 'peer-b', reason: 'not-leader' }, '08001206706565722d62220a6e6f742d6c6561646572'],
  [{ ok: false }, '0800'],
];

const text = fc.string({ maxLength: 20 });
const id = fc.string({ minLength: 1, maxLength: 60 });
const request = fc.record({ peerId: id, name: text, addrs: fc.array(text, { maxLength: MAX_JOIN_ADDRS }) });
const member = fc.record({ id, name: text, addrs: fc.array(text, { maxLength: 4 }), voter: fc.boolean() }, { requiredKeys: ['id', 'addrs', 'voter'] });
const response = fc.record(
  { ok: fc.boolean(), leaderId: id, members: fc.array(member, { minLength: 1, maxLength: 5 }), reason: text },
  { requiredKeys: ['ok'] },
);

describe('JoinCodec', () => {
  it('writes the bytes the hand-written encoder wrote, and reads them back', () => {
    for (const [req, wire] of REQUESTS) {
      expect(hex(encodeJoinRequest(req))).toBe(wire);
      expect(decodeJoinRequest(Buffer.from(wire, 'hex'))).toEqual(req);
    }
    for (const [res, wire] of RESPONSES) {
      expect(hex(encodeJoinResponse(res))).toBe(wire);
      expect(decodeJoinResponse(Buffer.from(wire, 'hex'))).toEqual(res);
    }
  });

  it('round-trips any request and response', () => {
    fc.assert(fc.property(request, response, (req, res) => {
      expect(decodeJoinRequest(encodeJoinRequest(req))).toEqual(req);
      expect(decodeJoinResponse(encodeJoinResponse(res))).toEqual(res);
    }), { seed: 31, numRuns: 1000 });
  });

  it('sends at most MAX_JOIN_ADDRS addresses', () => {
    const addrs = Array.from({ length: MAX_JOIN_ADDRS + 5 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`);
    expect(decodeJoinRequest(encodeJoinRequest({ peerId: 'p', name: 'n', addrs })).addrs).toHaveLength(MAX_JOIN_ADDRS);
  });

  it.each([
    ['an empty peer id', bytes(0x0a, 0x00, 0x12, 0x00), /empty peer id/],
    ['a missing name', bytes(0x0a, 0x01, 0x70), /JoinRequest lacks field 2 \(name\)/],
    ['a peer id twice', bytes(0x0a, 0x01, 0x70, 0x0a, 0x01, 0x71, 0x12, 0x00), /field 1 twice/],
    ['a name of the wrong wire type', bytes(0x0a, 0x01, 0x70, 0x10, 0x00), /wire type 0, expected 2/],
    ['a name longer than 128 characters', Uint8Array.from([0x0a, 0x01, 0x70, 0x12, 0x81, 0x01, ...new Array(129).fill(0x61)]), /longer than 128/],
    ['33 addresses', Uint8Array.from([0x0a, 0x01, 0x70, 0x12, 0x00, ...new Array(33).fill([0x1a, 0x00]).flat()]), /too many elements/],
  ])('rejects a request with %s', (_name, input, message) => {
    expect(() => decodeJoinRequest(input)).toThrow(InvalidFrameError);
    expect(() => decodeJoinRequest(input)).toThrow(message);
  });

  it.each([
    ['no ok', bytes(0x22, 0x00), /JoinResponse lacks field 1 \(ok\)/],
    ['a member without voter', bytes(0x08, 0x01, 0x1a, 0x03, 0x0a, 0x01, 0x70), /JoinMember lacks field 4 \(voter\)/],
    ['a member with an empty id', bytes(0x08, 0x01, 0x1a, 0x04, 0x0a, 0x00, 0x20, 0x01), /empty id/],
    ['a member that runs past the end', bytes(0x08, 0x01, 0x1a, 0x09, 0x0a, 0x01, 0x70), /past the end/],
    ['an ok of 2', bytes(0x08, 0x02), /boolean field holds 2/],
  ])('rejects a response with %s', (_name, input, message) => {
    expect(() => decodeJoinResponse(input)).toThrow(InvalidFrameError);
    expect(() => decodeJoinResponse(input)).toThrow(message);
  });
});

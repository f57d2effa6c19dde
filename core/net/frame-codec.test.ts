import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../raft/types.ts';
import { FrameTooLargeError, InvalidFrameError } from './errors.ts';
import { decodeFrame } from './frame-decode.ts';
import { encodeFrame, encodeFramePrefixed } from './frame-encode.ts';
import { FrameReader } from './frame-stream.ts';
import { FRAME_TYPES, MAX_FRAME_BYTES, MAX_MEMBERS, MAX_SNAPSHOT_DATA_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';
import * as pb from './pb/raft-wire.ts';
import { ADDRESS, validFrame } from './testing/frame-arbitraries.ts';

const a = ADDRESS.from;
const b = ADDRESS.to;
const bytes = (...v: number[]) => Uint8Array.from(v);

/** One example of every frame type, with non-zero values everywhere. */
const examples: Frame[] = [
  { type: 'RequestVote', from: a, to: b, term: 7, lastLogIndex: 42, lastLogTerm: 6, preVote: true, transfer: false },
  { type: 'RequestVote', from: a, to: b, term: 0, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: true },
  { type: 'RequestVoteResponse', from: a, to: b, term: 7, voteGranted: true, preVote: true },
  { type: 'AppendEntries', from: a, to: b, term: 3, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0, entries: [], quiesce: false },
  {
    type: 'AppendEntries', from: a, to: b, term: 9, prevLogIndex: 2 ** 52, prevLogTerm: 4, leaderCommit: 12, quiesce: false,
    entries: [
      { index: 2 ** 52 + 1, term: 4, kind: 'command', data: bytes(1, 2, 3) },
      { index: 2 ** 52 + 2, term: 9, kind: 'noop', data: bytes() },
      { index: 2 ** 52 + 3, term: 9, kind: 'config', data: bytes(0xff) },
    ],
  },
  { type: 'AppendEntriesResponse', from: a, to: b, term: 9, success: false, matchIndex: 5, hintIndex: 3 },
  {
    type: 'InstallSnapshot', from: a, to: b, term: 10,
    snapshot: { index: 500, term: 8, membership: { voters: ['x', 'y', 'z'], learners: ['w'] }, data: new Uint8Array(4096).fill(7) },
  },
  { type: 'InstallSnapshotResponse', from: a, to: b, term: 10, matchIndex: 500 },
  { type: 'TimeoutNow', from: a, to: b, term: Number.MAX_SAFE_INTEGER },
  { type: 'ForwardProposal', from: a, to: b, requestId: 'req-1', data: new TextEncoder().encode('a note ✓') },
  { type: 'ForwardProposalResult', from: a, to: b, requestId: 'req-1', ok: true, index: 17 },
  { type: 'ForwardProposalResult', from: a, to: b, requestId: 'req-2', ok: false, reason: 'not-leader', leaderId: 'peer-c' },
  { type: 'AppendEntries', from: a, to: b, term: 3, prevLogIndex: 7, prevLogTerm: 3, leaderCommit: 7, entries: [], quiesce: true },
];

/** decodeOrNamedError decodes `bytes` and says whether any exception was an InvalidFrameError. */
function decodeOrNamedError(input: Uint8Array): 'ok' | 'invalid' {
  try {
    decodeFrame(input, ADDRESS);
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidFrameError) return 'invalid';
    throw err;
  }
}

/**
 * The bytes the hand-written encoder of /raftnotes/raft/1 wrote for these
 * frames (most of them `examples`), before the codec was generated from
 * pb/raft-wire.proto. Peers of both kinds speak the same protocol id, so the
 * generated encoder must write exactly these.
 */
const WIRE_V1: [Frame, string][] = [
  [examples[0]!, '0a0a0807102a180620012800'],
  [examples[1]!, '0a0a08001000180020002801'],
  [examples[2]!, '1206080710011801'],
  [examples[3]!, '1a080803100018002000'],
  [examples[4]!, '1a2b08091080808080808080081804200c2a09080410011a030102032a06080910031a002a07080910021a01ff'],
  [examples[5]!, '22080809100018052003'],
  [{ type: 'InstallSnapshot', from: a, to: b, term: 10, snapshot: { index: 500, term: 8, membership: { voters: ['x', 'y', 'z'], learners: ['w'] }, data: bytes(7, 7, 7) } },
    '2a1c080a121808f40310081a0c0a01780a01790a017a1201772203070707'],
  [{ type: 'InstallSnapshot', from: a, to: b, term: 0, snapshot: { index: 0, term: 0, membership: { voters: [], learners: [] }, data: bytes() } },
    '2a0c08001208080010001a002200'],
  [examples[7]!, '3205080a10f403'],
  [examples[8]!, '3a0908ffffffffffffff0f'],
  [examples[9]!, '42130a057265712d31120a61206e6f746520e29c93'],
  [examples[10]!, '4a0b0a057265712d3110011811'],
  [examples[11]!, '4a1d0a057265712d321000220a6e6f742d6c65616465722a06706565722d63'],
  [{ type: 'ForwardProposalResult', from: a, to: b, requestId: 'req-3', ok: false, reason: '' }, '4a0b0a057265712d3310002200'],
];

describe('FrameCodec', () => {
  it('round-trips one example of every frame type', () => {
    const seen = new Set<string>();
    for (const frame of examples) {
      expect(decodeFrame(encodeFrame(frame), ADDRESS)).toEqual(frame);
      seen.add(frame.type);
    }
    expect([...seen].sort()).toEqual([...FRAME_TYPES].sort());
  });

  it('round-trips any valid frame', () => {
    fc.assert(fc.property(validFrame, (frame) => {
      expect(decodeFrame(encodeFrame(frame), ADDRESS)).toEqual(frame);
    }), { seed: 1, numRuns: 2000 });
  });

  it('writes the bytes the hand-written encoder wrote, zeros included, and reads them back', () => {
    for (const [frame, hex] of WIRE_V1) {
      expect(Buffer.from(encodeFrame(frame)).toString('hex'), frame.type).toBe(hex);
      expect(decodeFrame(Buffer.from(hex, 'hex'), ADDRESS)).toEqual(frame);
    }
  });

  it('adds field 6 only to a quiet heartbeat, so every other frame keeps the bytes of version 1', () => {
    const quiet = examples[examples.length - 1]!;
    expect(Buffer.from(encodeFrame(quiet)).toString('hex')).toBe('1a0a08031007180320073001');
    expect(decodeFrame(Buffer.from('1a0a08031007180320073001', 'hex'), ADDRESS)).toEqual(quiet);
    expect(decodeFrame(Buffer.from('1a080803100718032007', 'hex'), ADDRESS)).toEqual({ ...quiet, quiesce: false });
  });

  it('lists FRAME_TYPES in the order of the body fields of Frame in raft-wire.proto', () => {
    const fields = Object.entries(pb.schema.nested.Frame.fields).sort(([, x], [, y]) => x.id - y.id);
    expect(fields.map(([name]) => name[0]!.toUpperCase() + name.slice(1))).toEqual(FRAME_TYPES);
    expect(fields.map(([, f]) => f.id)).toEqual(FRAME_TYPES.map((_, i) => i + 1));
  });

  it('rejects a snapshot of more than MAX_MEMBERS members', () => {
    const members = Array.from({ length: MAX_MEMBERS + 1 }, (_, i) => `m${i}`);
    const snapshot = (voters: string[], learners: string[]): Frame => ({
      type: 'InstallSnapshot', from: a, to: b, term: 2, snapshot: { index: 3, term: 2, membership: { voters, learners }, data: bytes() },
    });
    expect(() => decodeFrame(encodeFrame(snapshot(members.slice(0, MAX_MEMBERS), [])), ADDRESS)).not.toThrow();
    expect(() => decodeFrame(encodeFrame(snapshot(members, [])), ADDRESS)).toThrow(InvalidFrameError);
    expect(() => decodeFrame(encodeFrame(snapshot(members.slice(0, 10), members.slice(10))), ADDRESS)).toThrow(/more than 1024 members/);
  });

  it('takes from and to from the connection, not the bytes', () => {
    const m: Message = { type: 'TimeoutNow', from: 'liar', to: 'nobody', term: 3 };
    expect(decodeFrame(encodeFrame(m), { from: 'p', to: 'q' })).toEqual({ type: 'TimeoutNow', from: 'p', to: 'q', term: 3 });
  });

  it('keeps a heartbeat small', () => {
    const hb: Message = { type: 'AppendEntries', from: a, to: b, term: 12, prevLogIndex: 100_000, prevLogTerm: 12, leaderCommit: 100_000, entries: [], quiesce: false };
    expect(encodeFramePrefixed(hb).byteLength).toBeLessThanOrEqual(20);
  });

  it('encodes a 64 MiB snapshot within the frame limit', () => {
    const data = new Uint8Array(MAX_SNAPSHOT_DATA_BYTES);
    data[data.length - 1] = 9;
    const members = Array.from({ length: 1024 }, (_, i) => `12D3KooW${String(i).padStart(44, 'x')}`);
    const frame: Frame = {
      type: 'InstallSnapshot', from: a, to: b, term: 2 ** 40,
      snapshot: { index: 2 ** 50, term: 2 ** 40, membership: { voters: members.slice(0, 5), learners: members.slice(5) }, data },
    };
    const encoded = encodeFrame(frame);
    expect(encoded.byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const back = decodeFrame(encoded, ADDRESS) as Extract<Frame, { type: 'InstallSnapshot' }>;
    expect(back.snapshot.data.byteLength).toBe(MAX_SNAPSHOT_DATA_BYTES);
    expect(back.snapshot.data[data.length - 1]).toBe(9);
    expect(back.snapshot.membership.learners).toHaveLength(1019);
  });

  it('refuses to encode a frame above the limit', () => {
    const frame: Frame = { type: 'ForwardProposal', from: a, to: b, requestId: 'r', data: new Uint8Array(2000) };
    expect(() => encodeFrame(frame, 1000)).toThrow(FrameTooLargeError);
  });

  it('refuses to encode entries whose indexes do not follow prevLogIndex', () => {
    const frame: Frame = {
      type: 'AppendEntries', from: a, to: b, term: 2, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 0, quiesce: false,
      entries: [{ index: 7, term: 2, kind: 'command', data: bytes() }],
    };
    expect(() => encodeFrame(frame)).toThrow(InvalidFrameError);
  });

  it.each([
    ['an empty frame', bytes(), /no body/],
    ['a frame of an unknown type only', bytes(0x52, 0x00), /no body/],
    ['a body with the wrong wire type', bytes(0x08, 0x01), /wire type 0, expected 2/],
    ['two bodies', bytes(0x3a, 0x02, 0x08, 0x01, 0x3a, 0x02, 0x08, 0x01), /more than one body/],
    ['a missing field', bytes(0x0a, 0x02, 0x08, 0x01), /RequestVote lacks field 2/],
    ['a duplicated field', bytes(0x3a, 0x04, 0x08, 0x01, 0x08, 0x02), /field 1 twice/],
    ['a boolean that is 2', bytes(0x12, 0x06, 0x08, 0x01, 0x10, 0x02, 0x18, 0x00), /boolean field holds 2/],
    ['an integer above 2^53-1', bytes(0x3a, 0x0a, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /larger than 2\^53-1/],
    ['a varint of 11 bytes', bytes(0x3a, 0x0c, 0x08, ...new Array(10).fill(0x80), 0x00), /longer than 10 bytes/],
    ['a length past the end', bytes(0x3a, 0x7f, 0x08, 0x01), /past the end/],
    ['an entry of kind 0', bytes(0x1a, 0x10, 0x08, 0x01, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x2a, 0x06, 0x08, 0x01, 0x10, 0x00, 0x1a, 0x00), /unknown kind/],
    ['an entry of kind 4', bytes(0x1a, 0x10, 0x08, 0x01, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x2a, 0x06, 0x08, 0x01, 0x10, 0x04, 0x1a, 0x00), /unknown kind/],
    ['an entry of term 0', bytes(0x1a, 0x10, 0x08, 0x01, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x2a, 0x06, 0x08, 0x00, 0x10, 0x01, 0x1a, 0x00), /has term 0/],
    ['an entry above the message term', bytes(0x1a, 0x10, 0x08, 0x01, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x2a, 0x06, 0x08, 0x02, 0x10, 0x01, 0x1a, 0x00), /has term 2/],
    ['a vote request whose last log term is above its term', bytes(0x0a, 0x0a, 0x08, 0x01, 0x10, 0x00, 0x18, 0x02, 0x20, 0x00, 0x28, 0x00), /lastLogTerm 2 is above/],
    ['an empty request id', bytes(0x42, 0x04, 0x0a, 0x00, 0x12, 0x00), /request id is empty/],
    ['a request id that is not UTF-8', bytes(0x42, 0x05, 0x0a, 0x01, 0xff, 0x12, 0x00), /not valid UTF-8/],
    ['an accepted proposal without index', bytes(0x4a, 0x05, 0x0a, 0x01, 0x72, 0x10, 0x01), /lacks its index/],
    ['a refused proposal without reason', bytes(0x4a, 0x05, 0x0a, 0x01, 0x72, 0x10, 0x00), /lacks its reason/],
    ['an unsupported wire type', bytes(0x3a, 0x03, 0x08, 0x01, 0x7b), /unsupported wire type 3/],
  ])('rejects %s with InvalidFrameError', (_name, input, message) => {
    expect(() => decodeFrame(input, ADDRESS)).toThrow(InvalidFrameError);
    expect(() => decodeFrame(input, ADDRESS)).toThrow(message);
  });

  it('rejects a snapshot member listed twice', () => {
    const frame: Frame = {
      type: 'InstallSnapshot', from: a, to: b, term: 2,
      snapshot: { index: 3, term: 2, membership: { voters: ['x'], learners: ['x'] }, data: bytes() },
    };
    expect(() => decodeFrame(encodeFrame(frame), ADDRESS)).toThrow(/listed twice/);
  });

  it('skips fields it does not know', () => {
    const known = encodeFrame({ type: 'TimeoutNow', from: a, to: b, term: 5 });
    // Frame.body TimeoutNow with an extra field 15 (varint) inside, and an extra field 20 (bytes) outside.
    const withExtra = bytes(0x3a, 0x04, 0x08, 0x05, 0x78, 0x01, 0xa2, 0x01, 0x01, 0x00);
    expect(decodeFrame(withExtra, ADDRESS)).toEqual(decodeFrame(known, ADDRESS));
  });

  it('rejects random bytes with the named error and nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
      decodeOrNamedError(input);
    }), { seed: 2, numRuns: 20_000 });
  });

  it('rejects every truncation of a valid frame', () => {
    fc.assert(fc.property(validFrame, fc.double({ min: 0, max: 1, noNaN: true }), (frame, f) => {
      const full = encodeFrame(frame);
      const cut = Math.min(full.byteLength - 1, Math.floor(full.byteLength * f));
      expect(decodeOrNamedError(full.subarray(0, cut))).toBe('invalid');
    }), { seed: 3, numRuns: 3000 });
  });

  it('rejects or decodes validly every frame with one byte changed', () => {
    fc.assert(fc.property(validFrame, fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, at, xor) => {
      const mutated = encodeFrame(frame).slice();
      mutated[at % mutated.length]! ^= xor;
      if (decodeOrNamedError(mutated) === 'ok') {
        // Whatever decodes must itself encode again: it is a valid frame.
        const again = decodeFrame(mutated, ADDRESS);
        expect(decodeFrame(encodeFrame(again), ADDRESS)).toEqual(again);
      }
    }), { seed: 4, numRuns: 5000 });
  });

  it('rejects a frame longer than the limit', () => {
    expect(() => decodeFrame(new Uint8Array(2001), ADDRESS, 2000)).toThrow(FrameTooLargeError);
  });
});

describe('FrameReader', () => {
  const framesOf = (chunks: Uint8Array[], maxFrameBytes?: number): Frame[] => {
    const reader = new FrameReader({ address: ADDRESS, ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }) });
    const out: Frame[] = [];
    for (const c of chunks) reader.push(c, (f) => out.push(f));
    return out;
  };

  it('reassembles frames from chunks cut anywhere', () => {
    fc.assert(fc.property(fc.array(validFrame, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
      const all = Uint8Array.from(frames.flatMap((f) => [...encodeFramePrefixed(f)]));
      const points = [...new Set(cuts.map((c) => c % all.length))].sort((x, y) => x - y);
      const chunks: Uint8Array[] = [];
      let last = 0;
      for (const p of [...points, all.length]) { chunks.push(all.subarray(last, p)); last = p; }
      expect(framesOf(chunks)).toEqual(frames);
    }), { seed: 5, numRuns: 500 });
  });

  it('rejects an announced length above the limit before the frame arrives', () => {
    expect(() => framesOf([bytes(0xe9, 0x07)], 1000)).toThrow(FrameTooLargeError);
    expect(() => framesOf([bytes(0xff, 0xff, 0xff, 0xff, 0x0f)])).toThrow(FrameTooLargeError);
  });

  it('rejects a length prefix longer than 5 bytes or not minimal', () => {
    expect(() => framesOf([bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x00)], 2 ** 40)).toThrow(InvalidFrameError);
    expect(() => framesOf([bytes(0x81, 0x00, 0x00)])).toThrow(/not minimal/);
  });

  it('hands over the valid frames before a malformed one', () => {
    const good = encodeFramePrefixed(examples[0]!);
    const reader = new FrameReader({ address: ADDRESS });
    const out: Frame[] = [];
    expect(() => reader.push(Uint8Array.from([...good, 0x02, 0x52, 0x00]), (f) => out.push(f))).toThrow(InvalidFrameError);
    expect(out).toEqual([examples[0]]);
  });

  it('rejects random streams with the named error and nothing else', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const reader = new FrameReader({ address: ADDRESS, maxFrameBytes: 4096 });
      try {
        for (const c of chunks) reader.push(c, () => {});
      } catch (err) {
        if (!(err instanceof InvalidFrameError)) throw err;
      }
    }), { seed: 6, numRuns: 5000 });
  });
});

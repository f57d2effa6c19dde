import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFrameError } from './errors.ts';
import { encodeFrame } from './frame-encode.ts';
import * as pb from './pb/raft-wire.ts';
import { validFrame } from './testing/frame-arbitraries.ts';
import { WireSchema } from './wire-schema.ts';

const WIRE = new WireSchema(pb.schema);
const bytes = (...v: number[]) => Uint8Array.from(v);
const read = (input: Uint8Array) => WIRE.decode(pb.Frame.codec(), 'Frame', input);

describe('WireReader', () => {
  it('reads every valid frame as protons\' own reader does', () => {
    fc.assert(fc.property(validFrame, (frame) => {
      const encoded = encodeFrame(frame);
      expect(read(encoded)).toEqual(pb.Frame.decode(encoded));
    }), { seed: 7, numRuns: 1000 });
  });

  it('refuses an embedded message that runs past the end of its parent, which protons\' reader lets through', () => {
    // InstallSnapshot of 4 bytes: term 1, then a Snapshot of 5 bytes that only fit after the InstallSnapshot's end.
    const input = bytes(0x2a, 0x04, 0x08, 0x01, 0x12, 0x05, 0x08, 0x01, 0x10, 0x01, 0x22, 0x00);
    expect(() => pb.Frame.decode(input)).not.toThrow();
    expect(() => read(input)).toThrow(/InstallSnapshot.snapshot runs past the end of its message/);
  });

  it('refuses a field twice in an embedded message, where protons\' reader keeps the last', () => {
    // AppendEntries with one Entry whose term comes twice.
    const input = bytes(0x1a, 0x12, 0x08, 0x02, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x2a, 0x08, 0x08, 0x01, 0x08, 0x02, 0x10, 0x01, 0x1a, 0x00);
    expect(pb.Frame.decode(input).appendEntries?.entries[0]?.term).toBe(2);
    expect(() => read(input)).toThrow(/Entry has field 1 twice/);
  });

  it('refuses two fields of one oneof', () => {
    expect(() => read(bytes(0x3a, 0x02, 0x08, 0x01, 0x32, 0x04, 0x08, 0x01, 0x10, 0x01))).toThrow(/Frame has more than one body/);
  });

  it('lets a repeated field and an unknown one come many times', () => {
    // InstallSnapshot{term 2, Snapshot{index 1, term 1, Membership{voters a, b; learners c}, data}, unknown field 15 twice},
    // then the unknown field 20 twice in the Frame.
    const membership = [0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62, 0x12, 0x01, 0x63];
    const snapshot = [0x08, 0x01, 0x10, 0x01, 0x1a, membership.length, ...membership, 0x22, 0x00];
    const install = [0x08, 0x02, 0x12, snapshot.length, ...snapshot, 0x78, 0x01, 0x78, 0x02];
    const m = read(bytes(0x2a, install.length, ...install, 0xa2, 0x01, 0x00, 0xa2, 0x01, 0x00));
    expect(m.installSnapshot?.snapshot?.membership).toEqual({ voters: ['a', 'b'], learners: ['c'] });
  });

  it('refuses an enum value its enum does not declare', () => {
    const input = bytes(0x1a, 0x10, 0x08, 0x01, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x2a, 0x06, 0x08, 0x01, 0x10, 0x07, 0x1a, 0x00);
    expect(() => read(input)).toThrow(/Entry.kind holds 7, an unknown kind/);
  });

  it.each([['a Uint8Array', (b: Uint8Array) => b], ['a Buffer', (b: Uint8Array) => Buffer.from(b)]])('copies bytes fields out of %s', (_kind, wrap) => {
    const input = wrap(encodeFrame({ type: 'ForwardProposal', from: 'a', to: 'b', requestId: 'r', data: bytes(1, 2, 3) }));
    const data = read(input).forwardProposal!.data!;
    input.fill(0);
    expect(data).toEqual(bytes(1, 2, 3));
    expect(data.constructor).toBe(Uint8Array);
    expect(data.buffer).not.toBe(input.buffer);
  });

  it('throws InvalidFrameError and nothing else for random input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (input) => {
      try {
        read(input);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidFrameError);
      }
    }), { seed: 8, numRuns: 20_000 });
  });
});

describe('WireSchema', () => {
  it('names the number of a field a message lacks', () => {
    expect(() => WIRE.require('RequestVote', { term: 1 } as pb.RequestVote, 'term', 'lastLogIndex')).toThrow('RequestVote lacks field 2 (lastLogIndex)');
  });

  it('refuses at load a schema with a field it cannot check', () => {
    const schema = (field: { type: string; rule?: string }) => ({ nested: { M: { fields: { x: { id: 1, ...field } } } } });
    expect(() => new WireSchema(schema({ type: 'sint32' }))).toThrow(/M.x is of type sint32/);
    expect(() => new WireSchema(schema({ type: 'uint64' }))).toThrow(/without \[jstype = JS_NUMBER\]/);
    expect(() => new WireSchema(schema({ type: 'bool', rule: 'repeated' }))).toThrow(/packed repeated/);
    expect(() => new WireSchema(schema({ type: 'string' })).message('N')).toThrow(/no message N/);
  });
});

// fast-check arbitraries of valid frames, for the codec's property tests and
// the transport compliance suite.
import fc from 'fast-check';
import type { Entry } from '../../raft/types.ts';
import type { Frame } from '../frame.ts';

const FROM = 'peer-a';
const TO = 'peer-b';

const uint = (max = Number.MAX_SAFE_INTEGER) => fc.integer({ min: 0, max });
const id = fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme-ascii' });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

const requestVote = fc.record({ term: uint(), lastLogIndex: uint(), preVote: fc.boolean(), transfer: fc.boolean(), f: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ term, lastLogIndex, preVote, transfer, f }): Frame => ({
    type: 'RequestVote', from: FROM, to: TO, term, lastLogIndex, lastLogTerm: Math.floor(term * f), preVote, transfer,
  }));

const appendEntries = fc.record({
  term: fc.integer({ min: 1, max: 1_000_000 }),
  prevLogIndex: uint(2 ** 40),
  leaderCommit: uint(2 ** 40),
  start: fc.double({ min: 0, max: 1, noNaN: true }),
  entries: fc.array(fc.record({
    bump: fc.boolean(), kind: fc.constantFrom<Entry['kind']>('command', 'config', 'noop'), data: bytes(200),
  }), { maxLength: 20 }),
  quiesce: fc.boolean(),
}).map(({ term, prevLogIndex, leaderCommit, start, entries, quiesce }): Frame => {
  const prevLogTerm = Math.floor(term * start);
  let t = Math.max(1, prevLogTerm);
  return {
    type: 'AppendEntries', from: FROM, to: TO, term, prevLogIndex, prevLogTerm, leaderCommit, quiesce,
    entries: entries.map((e, i) => {
      if (e.bump && t < term) t++;
      return { index: prevLogIndex + 1 + i, term: t, kind: e.kind, data: e.data };
    }),
  };
});

const snapshot = fc.record({
  term: fc.integer({ min: 1, max: 1_000_000 }),
  index: fc.integer({ min: 1, max: 2 ** 40 }),
  members: fc.uniqueArray(id, { maxLength: 9 }),
  split: fc.nat(9),
  data: bytes(2000),
}).map(({ term, index, members, split, data }): Frame => ({
  type: 'InstallSnapshot', from: FROM, to: TO, term,
  snapshot: { index, term, membership: { voters: members.slice(0, split), learners: members.slice(split) }, data },
}));

// The snapshot of an empty log: index and term 0, which the encoder writes too.
const emptySnapshot = uint().map((term): Frame => ({
  type: 'InstallSnapshot', from: FROM, to: TO, term,
  snapshot: { index: 0, term: 0, membership: { voters: [], learners: [] }, data: new Uint8Array(0) },
}));

/** validFrame generates any valid frame from 'peer-a' to 'peer-b'. */
export const validFrame: fc.Arbitrary<Frame> = fc.oneof(
  requestVote,
  fc.record({ term: uint(), voteGranted: fc.boolean(), preVote: fc.boolean() })
    .map((r): Frame => ({ type: 'RequestVoteResponse', from: FROM, to: TO, ...r })),
  appendEntries,
  fc.record({ term: uint(), success: fc.boolean(), matchIndex: uint(), hintIndex: uint() })
    .map((r): Frame => ({ type: 'AppendEntriesResponse', from: FROM, to: TO, ...r })),
  snapshot,
  emptySnapshot,
  fc.record({ term: uint(), matchIndex: uint() })
    .map((r): Frame => ({ type: 'InstallSnapshotResponse', from: FROM, to: TO, ...r })),
  uint().map((term): Frame => ({ type: 'TimeoutNow', from: FROM, to: TO, term })),
  fc.record({ requestId: id, data: bytes(300) })
    .map((r): Frame => ({ type: 'ForwardProposal', from: FROM, to: TO, ...r })),
  fc.oneof(
    fc.record({ requestId: id, index: fc.integer({ min: 1, max: 2 ** 50 }), leaderId: fc.option(id, { nil: undefined }) })
      .map(({ requestId, index, leaderId }): Frame => ({
        type: 'ForwardProposalResult', from: FROM, to: TO, requestId, ok: true, index,
        ...(leaderId === undefined ? {} : { leaderId }),
      })),
    fc.record({
      requestId: id, reason: fc.string({ maxLength: 40 }), leaderId: fc.option(id, { nil: undefined }), index: fc.option(uint(), { nil: undefined }),
    }).map(({ requestId, reason, leaderId, index }): Frame => ({
      type: 'ForwardProposalResult', from: FROM, to: TO, requestId, ok: false, reason,
      ...(leaderId === undefined ? {} : { leaderId }),
      ...(index === undefined ? {} : { index }),
    })),
  ),
);

/** ADDRESS is the sender and receiver every validFrame names. */
export const ADDRESS = { from: FROM, to: TO } as const;

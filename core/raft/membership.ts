// Membership values and their encoding in `config` log entries.
//
// A config entry's data is the whole new Membership as UTF-8 JSON:
//   {"voters":["a","b","c"],"learners":["d"]}
// Raft §6 (dissertation §4.1): a node uses the latest membership in its log,
// committed or not; changes go one server at a time.
import { invariant } from './errors.ts';
import type { Membership, MembershipChange, NodeId } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** encodeMembership is the data of a config entry that installs `m`. */
export function encodeMembership(m: Membership): Uint8Array {
  return encoder.encode(JSON.stringify({ voters: m.voters, learners: m.learners }));
}

/** decodeMembership reads a config entry's data; it throws when the data is not a membership. */
export function decodeMembership(data: Uint8Array): Membership {
  const value: unknown = JSON.parse(decoder.decode(data));
  invariant(isMembership(value), 'config entry does not hold a membership');
  return { voters: [...value.voters], learners: [...value.learners] };
}

/** isMembership says whether `value` has the shape of a Membership. */
export function isMembership(value: unknown): value is Membership {
  if (typeof value !== 'object' || value === null) return false;
  const { voters, learners } = value as Record<string, unknown>;
  return Array.isArray(voters) && voters.every((v) => typeof v === 'string') &&
    Array.isArray(learners) && learners.every((v) => typeof v === 'string');
}

/** isVoter says whether `id` votes in `m`. */
export function isVoter(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id);
}

/** isMember says whether `id` is a voter or a learner of `m`. */
export function isMember(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

/** members lists the voters then the learners of `m`. */
export function members(m: Membership): NodeId[] {
  return [...m.voters, ...m.learners];
}

/**
 * applyChange is the membership after one single-server change. Adding a
 * member that is already there leaves it as it is; promoting makes a learner a
 * voter. Removing the last voter is refused by throwing.
 */
export function applyChange(m: Membership, change: MembershipChange): Membership {
  const { id } = change;
  const voters = m.voters.filter((v) => v !== id);
  const learners = m.learners.filter((v) => v !== id);
  switch (change.type) {
    case 'addLearner':
      if (isVoter(m, id)) return { voters: [...m.voters], learners: [...m.learners] };
      return { voters, learners: [...learners, id] };
    case 'addVoter':
      return { voters: [...voters, id], learners };
    case 'remove':
      invariant(voters.length > 0 || !isVoter(m, id), `cannot remove ${id}: it is the last voter`);
      return { voters, learners };
    default: {
      const never: never = change.type;
      throw new TypeError(`unknown membership change ${String(never)}`);
    }
  }
}

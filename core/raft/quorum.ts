// Majority arithmetic over a set of voters: the commit point of a group of
// match indexes, and the outcome of an election.
import type { NodeId } from './types.ts';

/** VoteResult is where an election stands after counting the answers so far. */
export type VoteResult = 'won' | 'lost' | 'pending';

/** majority is the number of voters that form a quorum. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * committedIndex is the highest index that a majority of `voters` hold,
 * given each voter's match index.
 */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  // Raft §5.3: the entry at matches[q - 1] is held by q voters, q a majority.
  return matches[majority(voters.length) - 1]!;
}

/** voteResult counts `votes` (true = granted) of the listed voters; answers from others do not count. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const q = majority(voters.length);
  if (granted >= q) return 'won';
  if (rejected > voters.length - q) return 'lost';
  return 'pending';
}

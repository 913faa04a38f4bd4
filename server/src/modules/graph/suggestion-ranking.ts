/**
 * How "people you may know" are ranked. Pure functions, shared by the service (which
 * gathers the features with SQL) and by `npm run eval:suggestions` (which gathers the same
 * features from an in-memory edge list), so the figures in BENCHMARKS.md measure the code
 * that serves users.
 */

/** What we know about one candidate `c` for a viewer `u`, all from the friend graph. */
export interface CandidateFeatures {
  /** |N(u) ∩ N(c)|: mutual friends. */
  mutualFriends: number;
  /** Resource allocation: Σ over mutual friends z of 1 / deg(z). */
  resourceAllocation: number;
  /** deg(c): how many friends the candidate has. */
  candidateDegree: number;
  /** The candidate follows the viewer (and the viewer does not follow back). */
  followsYou?: boolean;
  /** The candidate's phone or email is in the viewer's uploaded contacts. */
  inContacts?: boolean;
  /** How many of the viewer's friends follow the candidate (who is not their friend). */
  followedByFriends?: number;
}

/**
 * How strongly a candidate's own friend count discounts them. Measured on ego-Facebook
 * (docs/graph.md): 0 is plain resource allocation; 0.1–0.25 all beat it on P@10 on every
 * seed; 0.15 is the best trade-off with MRR. Someone with 800 friends who shares three of
 * yours is less likely to be *your* friend than someone with 40 who shares the same three.
 */
export const CANDIDATE_DEGREE_EXPONENT = 0.15;

/**
 * Score from the friend graph alone — degree-normalised resource allocation
 * RA(u,c) · deg(c)^-0.15 — the part `eval:suggestions` measures against plain RA.
 */
export function graphScore(f: CandidateFeatures): number {
  if (f.resourceAllocation <= 0) return 0;
  return f.resourceAllocation * Math.max(1, f.candidateDegree) ** -CANDIDATE_DEGREE_EXPONENT;
}

/**
 * The full score Loop serves. Signals outside the friend graph lift a candidate by fixed
 * amounts comparable to a strong mutual friend, so someone in your address book or who
 * follows you shows up even with no mutual friends, but does not drown a tight friend-of-friend.
 */
export function suggestionScore(f: CandidateFeatures): number {
  let s = graphScore(f);
  if (f.inContacts) s += 1;
  if (f.followsYou) s += 0.5;
  if (f.followedByFriends) s += 0.02 * f.followedByFriends;
  return s;
}

/** The human reasons shown beside a suggestion, strongest first. */
export function suggestionReasons(f: CandidateFeatures): string[] {
  const reasons: string[] = [];
  if (f.inContacts) reasons.push('In your contacts');
  if (f.mutualFriends > 0) reasons.push(f.mutualFriends === 1 ? '1 mutual friend' : `${f.mutualFriends} mutual friends`);
  if (f.followsYou) reasons.push('Follows you');
  if (f.followedByFriends && f.followedByFriends >= 2 && f.mutualFriends === 0) reasons.push(`Followed by ${f.followedByFriends} of your friends`);
  return reasons;
}

/** An undirected graph as adjacency lists over dense ids 0..n-1. */
export type Adjacency = ReadonlyArray<ReadonlyArray<number>>;

/**
 * The 2-hop features of every candidate reachable from `u` in the friend graph (the same
 * features the service aggregates in SQL), keyed by candidate id.
 */
export function twoHopFeatures(adj: Adjacency, u: number): Map<number, CandidateFeatures> {
  const out = new Map<number, CandidateFeatures>();
  const mine = adj[u]!;
  const isFriend = new Set(mine);
  for (const z of mine) {
    const nz = adj[z]!;
    const inv = 1 / nz.length;
    for (const c of nz) {
      if (c === u || isFriend.has(c)) continue;
      let f = out.get(c);
      if (!f) {
        f = { mutualFriends: 0, resourceAllocation: 0, candidateDegree: adj[c]!.length };
        out.set(c, f);
      }
      f.mutualFriends += 1;
      f.resourceAllocation += inv;
    }
  }
  return out;
}

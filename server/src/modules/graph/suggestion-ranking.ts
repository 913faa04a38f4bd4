/**
 * How "people you may know" are ranked: a log-linear model over per-candidate features,
 * with weights fitted on the graph it serves (suggestion-fitting.ts) and a prior used until
 * there is enough graph to fit. Pure functions, shared by the service (which gathers the
 * features with SQL), the worker's fit and `npm run eval:suggestions` (which gather them
 * from the graph in memory), so the figures in BENCHMARKS.md measure the code that serves.
 */

/**
 * Limits that keep a refresh bounded on any graph (docs/graph.md). The pool caps also bound
 * what the fit and the offline evaluation rank, so they learn and measure the service's pool.
 */
export const SUGGESTION_LIMITS = Object.freeze({
  maxFriendsExpanded: 1000,
  topByResourceAllocation: 300,
  topFollowedByFriends: 50,
  followers: 100,
  contacts: 200,
  degreeCountCap: 5000,
  kept: 200,
  maxAgeMs: 6 * 3600_000,
});

/** What we know about one candidate `c` for a viewer `u`. */
export interface CandidateFeatures {
  /** |N(u) ∩ N(c)|: mutual friends. */
  mutualFriends: number;
  /** Resource allocation: Σ over mutual friends z of 1 / deg(z). */
  resourceAllocation: number;
  /** Adamic-Adar: Σ over mutual friends z of 1 / ln deg(z). */
  adamicAdar: number;
  /** deg(c): how many friends the candidate has. */
  candidateDegree: number;
  /** deg(u): how many friends the viewer has. */
  viewerDegree: number;
  /** The candidate follows the viewer (and the viewer does not follow back). */
  followsYou?: boolean;
  /** The candidate's phone or email is in the viewer's uploaded contacts. */
  inContacts?: boolean;
  /** How many of the viewer's friends follow the candidate (who is not their friend). */
  followedByFriends?: number;
  /**
   * The viewer's own history: of the people who follow them, the share they follow back
   * (smoothed: (friends + 1) / (friends + followers not followed back + 2)).
   */
  viewerFollowBackRate?: number;
}

/** The smoothed follow-back rate from a person's friend and one-way follower counts. */
export const followBackRate = (friends: number, oneWayFollowers: number) => (friends + 1) / (friends + oneWayFollowers + 2);

/**
 * The model's inputs, in weight order. Logs because these counts span orders of magnitude and
 * combine multiplicatively; interactions with the viewer's degree because a ranking is per
 * viewer (anything constant for a viewer cancels out) while how much a mutual friend or a
 * candidate's popularity means depends on how many friends the viewer has; squares so the
 * effect of RA and of a candidate's popularity may bend (hubs attract on one graph and repel
 * on another). Preferential attachment, deg(u)·deg(c), is log-linear in the degree terms.
 */
export const FEATURE_NAMES = [
  'log resource allocation',
  'log Adamic-Adar',
  'log mutual friends',
  'Jaccard',
  'log candidate degree',
  'log candidate degree × log viewer degree',
  'log resource allocation × log viewer degree',
  'no mutual friend',
  'follows you',
  'log followed by friends',
  'in your contacts',
  '(log resource allocation)²',
  '(log candidate degree)²',
  'follows you × your follow-back rate',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Writes the feature vector of `f` into `out` at `offset` (typed arrays: the fit holds many). */
export function writeFeatures(f: CandidateFeatures, out: Float64Array | Float32Array, offset = 0): void {
  const cn = f.mutualFriends;
  const logDu = Math.log1p(f.viewerDegree);
  const logDc = Math.log1p(f.candidateDegree);
  const logRa = cn > 0 ? Math.log(f.resourceAllocation) : 0;
  out[offset] = logRa;
  out[offset + 1] = cn > 0 ? Math.log(f.adamicAdar) : 0;
  out[offset + 2] = cn > 0 ? Math.log(cn) : 0;
  out[offset + 3] = cn > 0 ? cn / Math.max(1, f.viewerDegree + f.candidateDegree - cn) : 0;
  out[offset + 4] = logDc;
  out[offset + 5] = logDc * logDu;
  out[offset + 6] = logRa * logDu;
  out[offset + 7] = cn > 0 ? 0 : 1;
  out[offset + 8] = f.followsYou ? 1 : 0;
  out[offset + 9] = Math.log1p(f.followedByFriends ?? 0);
  out[offset + 10] = f.inContacts ? 1 : 0;
  out[offset + 11] = logRa * logRa;
  out[offset + 12] = logDc * logDc;
  out[offset + 13] = f.followsYou ? (f.viewerFollowBackRate ?? 0.5) : 0;
}

/** A fitted (or prior) model: one weight per feature, in FEATURE_NAMES order. */
export interface RankingModel {
  weights: readonly number[];
}

/**
 * The model before any graph has been seen (and the centre the fit shrinks towards, so a small
 * graph moves it only as far as its evidence goes). Its graph part is the formula measured on
 * ego-Facebook before this model existed, RA · deg(c)^-0.15 (docs/graph.md). The rest puts
 * signals outside the friend graph on that scale: a candidate with no mutual friend starts at
 * e^-4 (a weak friend-of-friend); a contact lifts them to about a strong friend-of-friend
 * (RA ≈ 1), a follower to RA ≈ 0.5, and each doubling of friends who follow them adds a little.
 */
export const PRIOR_MODEL: RankingModel = Object.freeze({
  weights: Object.freeze([1, 0, 0, 0, -0.15, 0, 0, -4, 3.3, 0.75, 4, 0, 0, 0]),
});

/**
 * Features whose weight hidden friendships cannot teach (no address book says who is in
 * whose contacts when the edge was made): the fit keeps the prior's weight for them.
 */
export const FIXED_FEATURES: ReadonlySet<number> = new Set([FEATURE_NAMES.indexOf('in your contacts')]);

/** The model's log-score (higher ranks first). */
export function logScore(model: RankingModel, f: CandidateFeatures): number {
  const x = new Float64Array(FEATURE_COUNT);
  writeFeatures(f, x);
  let s = 0;
  for (let i = 0; i < FEATURE_COUNT; i++) s += model.weights[i]! * x[i]!;
  return s;
}

/** The score Loop stores and serves: e^logScore, positive, same order. */
export function suggestionScore(model: RankingModel, f: CandidateFeatures): number {
  return Math.exp(logScore(model, f));
}

/** The human reasons shown beside a suggestion, strongest first. */
export function suggestionReasons(f: Pick<CandidateFeatures, 'mutualFriends' | 'followsYou' | 'inContacts' | 'followedByFriends'>): string[] {
  const reasons: string[] = [];
  if (f.inContacts) reasons.push('In your contacts');
  if (f.mutualFriends > 0) reasons.push(f.mutualFriends === 1 ? '1 mutual friend' : `${f.mutualFriends} mutual friends`);
  if (f.followsYou) reasons.push('Follows you');
  if (f.followedByFriends && f.followedByFriends >= 2 && f.mutualFriends === 0) reasons.push(`Followed by ${f.followedByFriends} of your friends`);
  return reasons;
}

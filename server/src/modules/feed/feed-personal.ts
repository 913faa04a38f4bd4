/**
 * For You's personal ranking score (pure): what the learned model thinks of a clip for this
 * person (folded in from their latest events), plus their leaning toward its author and
 * topics (which is all there is for a brand-new person or a clip the model has not seen
 * yet), plus their session taste — the last few swipes, weighed above all the rest — plus a
 * little of the clip's general engagement so that with no signals at all the order stays
 * trending.
 */
export interface PersonalInputs {
  /** The decayed engagement score of the clip (hot_score). */
  hot: number;
  /** The learned model's blend score, when the model knows the clip and the person. */
  model: number | undefined;
  /** affinityScore(...) of the clip's author and hashtags. */
  affinity: number;
  /** The person's friends-first dial (0–1) and the author's closeness: 1 a friend, 0.5 someone they follow. */
  friendsFirst?: number;
  closeness?: number;
  /** sessionScore(...) of the clip (feed-session.ts): what the last few swipes say, −1.5…1.5. */
  session?: number;
  /** false after a change of taste for a clip that is not of a lead (feed-session.ts trustsPast): the past does not lift it. */
  trustPast?: boolean;
  /** The client has the clip queued (For You's `ahead`): it is already buffering. */
  queued?: boolean;
}

/** How much one unit of affinity (about one clip watched to the end) weighs against the rest. */
export const AFFINITY_WEIGHT = 1;
export const MODEL_WEIGHT = 1;
export const TRENDING_WEIGHT = 0.2;
/** At friendsFirst = 1 a friend's clip gains as much as about three clips of theirs watched to the end. */
export const FRIENDS_WEIGHT = 3;
/**
 * The session taste outweighs the long-term profile: a topic's session score going from −½ (recent
 * skips) to +½ (one recent finish) moves a clip as much as about four clips of that topic
 * finished earlier, so the last few swipes decide between topics the person has a history with.
 */
export const SESSION_WEIGHT = 8;
/**
 * A queued clip (already buffering on the client) keeps its place unless another scores this much
 * more: a new lead or a skipped topic moves scores by several points (SESSION_WEIGHT), the ordinary
 * drift between two re-ranks by less, and every replaced clip is bandwidth spent for nothing.
 */
export const QUEUED_WEIGHT = 1;

/**
 * When the last swipes of a clip's topic (and author) came out negative, the long-term profile and
 * the model — which say how much the person used to like it — do not lift it: they were built
 * on the same person's past and lag behind exactly when the taste changes; nor do they lift any
 * clip but a lead's right after a change of taste (trustPast false).
 */
export function personalScore(x: PersonalInputs): number {
  const past = (x.session ?? 0) < 0 || x.trustPast === false ? 0 : 1;
  return (
    TRENDING_WEIGHT * Math.log1p(Math.max(0, x.hot)) +
    past * MODEL_WEIGHT * Math.max(0, x.model ?? 0) +
    Math.min(0, x.model ?? 0) * MODEL_WEIGHT +
    past * AFFINITY_WEIGHT * Math.max(0, x.affinity) +
    Math.min(0, x.affinity) * AFFINITY_WEIGHT +
    FRIENDS_WEIGHT * (x.friendsFirst ?? 0) * (x.closeness ?? 0) +
    SESSION_WEIGHT * (x.session ?? 0) +
    (x.queued ? QUEUED_WEIGHT : 0)
  );
}

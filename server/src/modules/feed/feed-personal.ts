/**
 * For You's personal ranking score (pure): what the learned model thinks of a clip for this
 * person (folded in from their latest events), plus their leaning toward its author and
 * topics from the last few swipes (which is all there is for a brand-new person or a clip
 * the model has not seen yet), plus a little of the clip's general engagement so that with no
 * signals at all the order stays trending.
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
}

/** How much one unit of affinity (about one clip watched to the end) weighs against the rest. */
export const AFFINITY_WEIGHT = 1;
export const MODEL_WEIGHT = 1;
export const TRENDING_WEIGHT = 0.2;
/** At friendsFirst = 1 a friend's clip gains as much as about three clips of theirs watched to the end. */
export const FRIENDS_WEIGHT = 3;

export function personalScore(x: PersonalInputs): number {
  return (
    TRENDING_WEIGHT * Math.log1p(Math.max(0, x.hot)) +
    MODEL_WEIGHT * (x.model ?? 0) +
    AFFINITY_WEIGHT * x.affinity +
    FRIENDS_WEIGHT * (x.friendsFirst ?? 0) * (x.closeness ?? 0)
  );
}

/**
 * "Why this video" in words a person understands (pure; unit-tested). The reasons follow the
 * stages that put a clip in For You: the person's own signals first (author, topics, what the
 * learned model saw in their watching), then the graph, then general reach.
 */
export interface WhyInputs {
  authorUsername: string;
  relationship: { following: boolean; friends: boolean } | null;
  /** The person's affinity for the author and for each of the clip's hashtags (positive = leaning toward). */
  authorAffinity: number;
  topicAffinity: Array<[string, number]>;
  /** The learned model's score for this clip, when it knows the person and the clip. */
  model: number | undefined;
  /** Of everything the model could score for this person, the share this clip beats (0–1). */
  modelRank: number | undefined;
  ageMs: number;
  views: number;
  likes: number;
}

export function explain(x: WhyInputs): string[] {
  const reasons: string[] = [];
  if (x.relationship?.friends) reasons.push(`You and @${x.authorUsername} are friends.`);
  else if (x.relationship?.following) reasons.push(`You follow @${x.authorUsername}.`);
  if (x.authorAffinity > 0.5) reasons.push(`You watched other clips by @${x.authorUsername}.`);
  const topics = x.topicAffinity.filter(([, a]) => a > 0.5).map(([t]) => `#${t}`);
  if (topics.length) reasons.push(`You've been watching ${topics.slice(0, 3).join(', ')}.`);
  if (x.modelRank !== undefined && x.modelRank >= 0.8) reasons.push('People who watch what you watch enjoyed this clip.');
  if (x.ageMs < 2 * 24 * 3600_000) reasons.push('It is new: fresh clips get a chance to be seen.');
  if (x.views >= 100 || x.likes >= 20) reasons.push('It is popular on Loop right now.');
  if (!reasons.length) reasons.push('It is among the clips people enjoy on Loop, and For You tries a few new things to learn what you like.');
  return reasons;
}

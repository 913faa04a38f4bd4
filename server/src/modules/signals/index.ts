/**
 * Signals: what people do with clips (impressions, watch time relative to length, completions,
 * rewatches, skips, likes, comments, shares, saves, follows from a clip, "not interested"),
 * read from the append-only log POST /events writes, weighted for the recommender, and
 * aggregated into per-clip counters in batches (docs/recommender.md).
 */
export { affinitiesOf, affinityScore, hashtagsOf, signalWeight } from './signal-weights.ts';
export { aggregateSignalCounters, type PersonSignals, personSignals, RECENT_SIGNALS, trainingInteractions } from './signals.service.ts';

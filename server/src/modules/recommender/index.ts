import type { LoopModule } from '../../app/wiring.ts';
import { refitRecommenderIfDue } from './recommender.service.ts';

/**
 * The recommender's public face: pure model code over typed arrays (no I/O). The feed module
 * ranks For You with it, the worker refits it, `npm run recommend:offline` and
 * `npm run eval:recommender` run the very same code on files (docs/recommender.md).
 */
export { type AlsModel, alsScores, foldIn, trainAls } from './als.ts';
export { FEATURES } from './blend.ts';
export { buildNeighbours, cooccurrenceScores, type Neighbours } from './cooccurrence.ts';
export { type EaseModel, easeScores, trainEase } from './ease.ts';
export { buildInteractions, type History, historyOf, type Interaction, type Interactions, subset } from './interactions.ts';
export {
  fitRecommender,
  ndcgAt,
  RECOMMENDER_DEFAULTS,
  type RecommenderModel,
  type RecommenderOptions,
  rankCandidates,
  recommendForUser,
  sourceScores,
  topN,
  type ValidationReport,
} from './model.ts';
export { modelScores, refitRecommender, refitRecommenderIfDue } from './recommender.service.ts';

/** Owns no tables: its model is fitted from media's signal log and kept in memory by each process. */
export const recommenderModule: LoopModule = {
  name: 'recommender',
  provides: {
    // Serving processes refit on demand too; the worker keeps the model warm after a quiet spell.
    periodic: [{ name: 'recommender.refit', everyMs: 60_000, run: refitRecommenderIfDue }],
  },
  uses: ['media'],
};

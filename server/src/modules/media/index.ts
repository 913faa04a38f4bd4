import type { LoopModule } from '../../app/wiring.ts';
import { mediaDemo } from './media-demo.ts';
import { mediaRoutes } from './media.routes.ts';
import { countProfileVideos, mirrorAccountPrivacy, purgeVideoFiles } from './media.service.ts';
import { foldSettledSignals } from './signals.service.ts';
import { markTranscodeFailed, runTranscode } from './transcode.ts';

/**
 * Media: uploads, transcoding, clips, likes, saves, comments and views, and the signals people
 * give clips (the append-only `video_events` log, weighted for the recommender, folded into
 * per-clip counters in batches: docs/recommender.md); owns the video tables.
 * Provides the graph with a profile's clip count and follows accounts' private setting.
 */
export const mediaModule: LoopModule = {
  name: 'media',
  provides: {
    routes: [mediaRoutes],
    videoCounter: countProfileVideos,
    privacyHooks: [mirrorAccountPrivacy],
    jobs: {
      'video.transcode': {
        run: (ctx, p, job) => runTranscode(ctx, p.videoId, job),
        onFailed: (ctx, p, reason) => markTranscodeFailed(ctx, p.videoId, reason),
      },
      'video.purge': {
        run: (ctx, p) => purgeVideoFiles(ctx, p.videoId, p.prefix),
      },
    },
    periodic: [
      {
        name: 'signals.aggregate',
        everyMs: 10_000,
        run: async (ctx) => {
          await foldSettledSignals(ctx);
        },
      },
    ],
    demo: mediaDemo,
  },
  uses: ['accounts', 'graph'],
};

export { type ForYouStream, forYouCandidates, positionIn, queuedCandidates, type StreamPosition, topicCandidates, viewerHistory } from './feed-candidates.ts';
export type { VideoRow } from './media.repo.ts';
export {
  countSharesIn,
  createVideoFromFile,
  deleteVideo,
  findVideoRows,
  getVideo,
  inspectUpload,
  listByAuthorsPage,
  loadVisibleVideo,
  openToEveryone,
  publishedPrefix,
  stagingDir,
  toVideoViews,
  viewersWhoCanView,
  visiblePosters,
  whoCanSeeVideo,
} from './media.service.ts';
export { parseRange } from './media.routes.ts';
export { affinitiesOf, affinityScore, hashtagsOf, signalWeight } from './signal-weights.ts';
export { aggregateSignalCounters, type PersonSignals, personSignals, RECENT_SIGNALS, trainingInteractions } from './signals.service.ts';
export { hashtagVideos, recentClipsBy, searchHashtags, searchVideos, trendingHashtags } from './search.service.ts';

import type { LoopModule } from '../../app/wiring.ts';
import { mediaDemo } from './media-demo.ts';
import { mediaRoutes } from './media.routes.ts';
import { countProfileVideos, mirrorAccountPrivacy, purgeVideoFiles } from './media.service.ts';
import { markTranscodeFailed, runTranscode } from './transcode.ts';

/**
 * Media: uploads, transcoding, clips, likes, saves, comments and views; owns the video tables.
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
    demo: mediaDemo,
  },
  uses: ['accounts', 'graph'],
};

export { type ForYouStream, forYouCandidates, positionIn, type StreamPosition, viewerHistory } from './feed-candidates.ts';
export type { VideoRow } from './media.repo.ts';
export {
  countSharesIn,
  findVideoRows,
  getVideo,
  listByAuthorsPage,
  loadVisibleVideo,
  openToEveryone,
  toVideoViews,
  viewersWhoCanView,
  visiblePosters,
  whoCanSeeVideo,
} from './media.service.ts';

import { Id, ShareTargetsQuery, ShareTargetsResult, ShareVideoBody, ShareVideoResult, VideoSharingSettings } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as sharing from './sharing.service.ts';

const tags = ['sharing'];
const VideoParams = z.object({ id: Id });

/** POST /videos/:id/shares, the author's sharing switch, and the share sheet's recipients (docs/sharing.md). */
export function sharingRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post('/videos/:id/shares', { schema: { tags, params: VideoParams, body: ShareVideoBody, response: { 200: ShareVideoResult } } }, async (req) =>
      sharing.shareVideo(ctx, requireUser(req), req.params.id, req.body),
    );

    app.get(
      '/videos/:id/sharing',
      { schema: { tags, params: VideoParams, response: { 200: VideoSharingSettings.extend({ url: z.string() }) } } },
      async (req) => sharing.getVideoSharing(ctx, req.auth?.userId ?? null, req.params.id),
    );
    app.patch('/videos/:id/sharing', { schema: { tags, params: VideoParams, body: VideoSharingSettings, response: { 200: VideoSharingSettings } } }, async (req) =>
      sharing.setVideoSharing(ctx, requireUser(req), req.params.id, req.body.allowSharing),
    );

    app.get('/me/share-targets', { schema: { tags, querystring: ShareTargetsQuery, response: { 200: ShareTargetsResult } } }, async (req) =>
      sharing.shareTargets(ctx, requireUser(req), req.query),
    );
  };
}

import type { Story, User } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { getUserViews } from '../accounts/index.ts';
import type { VideoRow } from '../media/index.ts';
import { isExpired } from './stories.policy.ts';
import type { StoryRow } from './stories.repo.ts';

/** Every media URL of a story goes through GET /stories/:id/media/:token/… (the authorising route). */
export const storyMediaBase = (row: Pick<StoryRow, 'id' | 'media_token'>) => `/api/v1/stories/${row.id}/media/${row.media_token}`;

export function storyStatus(row: StoryRow, video: VideoRow | undefined): Story['status'] {
  if (isExpired(row)) return 'expired';
  if (row.media_type === 'image') return 'ready';
  if (!video) return 'failed';
  return video.status;
}

/** Whether a story can be played by others now (an image always; a clip once transcoded). */
export const playable = (row: StoryRow, video: VideoRow | undefined) => row.media_type === 'image' || video?.status === 'ready';

/** API `story` objects in the order given; rows whose author is gone are left out. */
export async function toStoryViews(
  ctx: AppContext,
  viewerId: string | null,
  rows: readonly StoryRow[],
  extra: { videos: ReadonlyMap<string, VideoRow>; seen: ReadonlySet<string>; viewCounts?: ReadonlyMap<string, number>; authors?: ReadonlyMap<string, User> },
): Promise<Story[]> {
  const authors = extra.authors ?? (await getUserViews(ctx, [...new Set(rows.map((r) => String(r.author_id)))]));
  return rows.flatMap((r) => {
    const author = authors.get(String(r.author_id));
    if (!author) return [];
    const id = String(r.id);
    const video = r.video_id ? extra.videos.get(String(r.video_id)) : undefined;
    const base = storyMediaBase(r);
    const status = storyStatus(r, video);
    const ready = r.media_type === 'image' || video?.status === 'ready';
    const hlsUrl = r.media_type === 'video' && ready ? `${base}/master.m3u8` : null;
    const mine = viewerId === String(r.author_id);
    return [
      {
        id,
        author,
        mediaType: r.media_type,
        mediaUrl: r.media_type === 'image' ? `${base}/image.webp` : hlsUrl,
        hlsUrl,
        posterUrl: r.media_type === 'image' ? `${base}/image.webp` : ready ? `${base}/poster.jpg` : null,
        caption: r.caption,
        audience: r.audience,
        createdAt: new Date(r.created_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
        status,
        durationMs: video ? video.duration_ms : null,
        viewer: { seen: mine || extra.seen.has(id) },
        viewCount: mine ? (extra.viewCounts?.get(id) ?? 0) : null,
      },
    ];
  });
}

import type { Hashtag } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { type CursorScope, decodeCursor, toPage } from '../../platform/db/pagination.ts';
import * as graph from '../graph/index.ts';
import { toVideoViews } from './media.service.ts';
import * as repo from './search.repo.ts';

/**
 * Clips and hashtags for discovery (docs/discovery.md): search, a hashtag's page, trending tags,
 * and what is still new from friends. Visibility is `mayView`'s, in SQL (search.repo.ts); the
 * lists page by keyset cursors scoped to the list, the query and the viewer.
 */

/** What the graph says about the viewer, read once per request. */
export async function clipAudience(ctx: AppContext, viewerId: string | null): Promise<repo.ClipAudience> {
  if (!viewerId) return { viewerId: null, hidden: [], followees: [], friends: [] };
  const [followees, hidden] = await Promise.all([graph.followees(ctx, viewerId), graph.mutedOrBlockedIds(ctx, viewerId)]);
  return { viewerId, hidden, followees: followees.map((f) => f.id), friends: followees.filter((f) => f.friend).map((f) => f.id) };
}

/** Search text as the queries compare it: lower-cased, runs of spaces made one. */
export const normaliseNeedle = (q: string) => q.trim().replace(/\s+/g, ' ').toLowerCase();

/** GET /search?type=videos: by relevance (hashtag, text, close words), then popularity. */
export async function searchVideos(ctx: AppContext, viewerId: string | null, q: string, page: { cursor?: string; limit: number }) {
  const needle = normaliseNeedle(q);
  const scope: CursorScope = { list: `search:videos:${needle}`, viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 3);
  const rows = await repo.searchVideos(ctx.db, {
    needle,
    audience: await clipAudience(ctx, viewerId),
    after: c ? { tier: Number(c[0]), score: Number(c[1]), id: String(c[2]) } : null,
    limit: page.limit + 1,
  });
  const kept = toPage(scope, rows, page.limit, (r) => r, (r) => [r.tier, r.hot_score, String(r.id)]);
  return { items: await toVideoViews(ctx, viewerId, kept.items), nextCursor: kept.nextCursor };
}

/** GET /hashtags/:tag/videos: newest first. */
export async function hashtagVideos(ctx: AppContext, viewerId: string | null, tag: string, page: { cursor?: string; limit: number }) {
  const scope: CursorScope = { list: `hashtag:${tag}`, viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 1);
  const rows = await repo.listHashtagVideos(ctx.db, { tag, audience: await clipAudience(ctx, viewerId), beforeId: c ? String(c[0]) : null, limit: page.limit + 1 });
  const kept = toPage(scope, rows, page.limit, (r) => r, (r) => [String(r.id)]);
  return { items: await toVideoViews(ctx, viewerId, kept.items), nextCursor: kept.nextCursor };
}

/** GET /search?type=hashtags. */
export async function searchHashtags(ctx: AppContext, viewerId: string | null, q: string, page: { cursor?: string; limit: number }) {
  const needle = normaliseNeedle(q).replace(/^#/, '');
  const scope: CursorScope = { list: `search:hashtags:${needle}`, viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 3);
  // A tag is one word: text with spaces or punctuation matches no tag (and needs no query).
  if (!/^[\p{L}\p{N}_]+$/u.test(needle)) return { items: [] as Hashtag[], nextCursor: null };
  const rows = await repo.searchHashtags(ctx.db, {
    needle,
    audience: await clipAudience(ctx, viewerId),
    after: c ? { tier: Number(c[0]), videos: Number(c[1]), tag: String(c[2]) } : null,
    limit: page.limit + 1,
  });
  return toPage(scope, rows, page.limit, (r): Hashtag => ({ tag: r.tag, videos: r.videos }), (r) => [r.tier, r.videos, r.tag]);
}

const TRENDING_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** The hashtags on the most open clips of the last week (the same for everyone: no personal data). */
export async function trendingHashtags(ctx: AppContext, limit: number): Promise<Hashtag[]> {
  return repo.trendingHashtags(ctx.db, { since: new Date(Date.now() - TRENDING_WINDOW_MS), limit });
}

/** Clips by `authors` since `since` that the viewer may see (at most `limit`, newest first), each with whether they have been shown it. */
export async function recentClipsBy(ctx: AppContext, viewerId: string, authors: readonly string[], since: Date, limit = 200) {
  if (!authors.length) return [];
  return repo.recentClipsBy(ctx.db, { authors, audience: await clipAudience(ctx, viewerId), since, limit });
}

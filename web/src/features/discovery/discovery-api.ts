import { Hashtag, page, Product, User, Video } from '@loop/contracts';
import { type InfiniteData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../app/api.ts';

/** Discovery (API.md "Discovery and the learning For You"): search, hashtag pages, why-this-video, not interested. */
export type SearchTab = 'users' | 'videos' | 'hashtags' | 'products';

const schemas = { users: page(User), videos: page(Video), hashtags: page(Hashtag), products: page(Product) };
type AnyPage = { items: unknown[]; nextCursor: string | null };

/** One tab's results (each tab's items parsed with its own schema; the screen knows which it asked for). */
export function useSearch(type: SearchTab, q: string) {
  return useInfiniteQuery({
    queryKey: ['search', type, q],
    queryFn: ({ pageParam, signal }) => api('/search', { query: { q, type, cursor: pageParam, limit: 20 }, schema: schemas[type] as unknown as z.ZodType<AnyPage>, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: q.length > 0,
    staleTime: 30_000,
  });
}

export function useHashtagVideos(tag: string) {
  return useInfiniteQuery({
    queryKey: ['hashtag', tag],
    queryFn: ({ pageParam, signal }) => api(`/hashtags/${encodeURIComponent(tag)}/videos`, { query: { cursor: pageParam, limit: 30 }, schema: page(Video), signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useTrendingHashtags() {
  return useQuery({
    queryKey: ['hashtags', 'trending'],
    queryFn: ({ signal }) => api('/hashtags/trending', { query: { limit: 12 }, schema: z.object({ items: z.array(Hashtag) }), signal }).then((r) => r.items),
    staleTime: 5 * 60_000,
  });
}

export function useWhy(videoId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['why', videoId],
    queryFn: ({ signal }) => api(`/videos/${videoId}/why`, { schema: z.object({ reasons: z.array(z.string()) }), signal }).then((r) => r.reasons),
    enabled,
  });
}

type VideoPage = { items: Video[]; nextCursor: string | null };

/** "Not interested": sent at once (not batched), and the clip — with its author's other clips — leaves the feeds now. */
export function useNotInterested() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (video: Video) => api('/events', { json: { events: [{ type: 'not_interested', videoId: video.id, at: new Date().toISOString() }] } }),
    onMutate: (video) => {
      for (const [key, data] of qc.getQueriesData<InfiniteData<VideoPage>>({ queryKey: ['feed'] })) {
        if (!data) continue;
        qc.setQueryData(key, { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.filter((v) => v.id !== video.id && v.author.id !== video.author.id) })) });
      }
    },
  });
}

// ---- recent searches (this device only) ----

const RECENT_KEY = 'loop.recentSearches';
const RECENT_MAX = 8;

export function readRecentSearches(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberSearch(q: string): string[] {
  const next = [q, ...readRecentSearches().filter((s) => s.toLowerCase() !== q.toLowerCase())].slice(0, RECENT_MAX);
  localStorage.setItem(RECENT_KEY, JSON.stringify(next));
  return next;
}

export function forgetSearches(): string[] {
  localStorage.removeItem(RECENT_KEY);
  return [];
}

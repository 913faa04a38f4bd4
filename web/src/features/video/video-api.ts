import { Comment, Video, page } from '@loop/contracts';
import { type InfiniteData, infiniteQueryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { api } from '../../app/api.ts';
import { queryClient } from '../../app/query-client.ts';
import { firstScreenAt, takeFirstScreenFeed } from '../../app/first-screen.ts';
import { useToast } from '../../ui/Toast.tsx';
import { useRealtime, useRealtimeFrames, useRealtimeStatus } from '../../app/realtime/socket.ts';
import { ASK_AGAIN, broughtNothingNew, CHRONOLOGICAL_PAGE, FOR_YOU_PAGE, replaceAhead, rerankQuery } from './feed-paging.ts';

export type FeedKind = 'for-you' | 'following' | 'friends';
const VideoPage = page(Video);
type VideoPage = z.infer<typeof VideoPage>;
const VideoResult = z.object({ video: Video });

export const videoKeys = {
  feed: (kind: FeedKind) => ['feed', kind] as const,
  video: (id: string) => ['video', id] as const,
  userVideos: (userId: string) => ['user-videos', userId] as const,
  /** The signed-in person's liked or saved clips (their profile's tabs). */
  mine: (list: 'liked' | 'saved') => ['my-videos', list] as const,
  comments: (id: string) => ['comments', id] as const,
};

/** Clips a feed page asks for (the server sends For You's first page with Home: server/src/app/first-screen.ts). */
const pageSize = (kind: FeedKind) => (kind === 'for-you' ? FOR_YOU_PAGE : CHRONOLOGICAL_PAGE);

/**
 * The first page the server sent with the page, if it is this feed's (once; then the server is
 * asked). Taken as the server wrote it, without zod, like the `/me` it came with (session.ts `sentMe`).
 */
function sentFirstPage(kind: FeedKind): InfiniteData<VideoPage, string | undefined> | undefined {
  const sent = takeFirstScreenFeed(kind, pageSize(kind)) as VideoPage | undefined;
  return Array.isArray(sent?.items) && sent.nextCursor !== undefined ? { pages: [sent], pageParams: [undefined] } : undefined;
}

const feedQuery = (kind: FeedKind) =>
  infiniteQueryOptions({
    queryKey: videoKeys.feed(kind),
    queryFn: async ({ pageParam, signal }) => {
      // For You ranks each page on the swipes so far: send them first (feed-paging.ts).
      if (kind === 'for-you') await flushEvents();
      return api(`/feed/${kind}`, { query: { cursor: pageParam, limit: pageSize(kind) }, schema: VideoPage, signal });
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 60_000,
    // For You's pages are re-ranked as the person swipes (useForYouRerank): asking for them all
    // again on a focus would replace the clip on screen and what is buffering.
    refetchOnWindowFocus: kind !== 'for-you',
    initialData: () => sentFirstPage(kind),
    initialDataUpdatedAt: firstScreenAt,
  });

export function useFeed(kind: FeedKind) {
  return useInfiniteQuery(feedQuery(kind));
}

type FeedData = InfiniteData<VideoPage, string | undefined>;

/**
 * For You's re-rank (feed-paging.ts), called on each swipe to a clip not seen yet and on each
 * completion: sends the pending events, asks for a small page after the latest cursor (naming the
 * clips queued, which the ranking may keep) and puts it behind the clip on screen (`onScreen`, its
 * index) in place of whatever was queued there, asking again when the answer brought nothing after
 * it (feed-paging.ts ASK_AGAIN). A re-rank asked
 * for while one is on its way cancels it: that answer ranked on less. Best
 * effort: one that fails is tried once more, then the queue stays as it was (the next swipe asks again).
 */
export function useForYouRerank() {
  const qc = useQueryClient();
  const inFlight = useRef<AbortController | null>(null);
  // A re-rank is on its way: the feed shows a loading card after its last clip, so a swipe past the
  // end (faster than the answers come) lands on it and the clip takes its place, instead of being lost.
  const [loading, setLoading] = useState(false);
  useEffect(() => () => inFlight.current?.abort(), []);
  const rerank = useCallback(
    (onScreen: number) => {
      inFlight.current?.abort();
      const ctrl = new AbortController();
      inFlight.current = ctrl;
      setLoading(true);
      const key = videoKeys.feed('for-you');
      const queuedAfter = (d: FeedData) => d.pages.flatMap((p) => p.items).slice(onScreen + 1);
      const attempt = async (again: boolean, asks: number): Promise<void> => {
        const data = qc.getQueryData<FeedData>(key);
        const cursor = data?.pages.at(-1)?.nextCursor;
        if (!data || !cursor) return;
        try {
          await flushEvents();
          if (ctrl.signal.aborted) return;
          const ask = rerankQuery(queuedAfter(data));
          const fresh = await api('/feed/for-you', { query: { cursor, limit: ask.limit, ahead: ask.ahead.join(',') }, schema: VideoPage, signal: ctrl.signal });
          if (ctrl.signal.aborted) return;
          const next = qc.setQueryData<FeedData>(key, (d) => d && replaceAhead(d, onScreen, fresh, cursor));
          if (next && fresh.nextCursor && asks < ASK_AGAIN && broughtNothingNew(queuedAfter(next).length)) return attempt(again, asks + 1);
        } catch {
          // Failed (not cancelled): one more try a moment later, unless a newer re-rank came meanwhile.
          if (again && !ctrl.signal.aborted) await new Promise((r) => setTimeout(r, 1000));
          if (again && !ctrl.signal.aborted) return attempt(false, asks);
        }
      };
      return attempt(true, 0).finally(() => {
        if (inFlight.current === ctrl) setLoading(false);
      });
    },
    [qc],
  );
  return { rerank, loading };
}

/** The feed's first page, asked for before the screen renders (app start on Home). */
export function prefetchFeed(kind: FeedKind) {
  return queryClient.prefetchInfiniteQuery(feedQuery(kind));
}

const fetchVideo = (id: string, signal: AbortSignal) => api(`/videos/${id}`, { schema: VideoResult, signal }).then((r) => r.video);

/** One clip; every screen that shows it by id shares this cache entry (it holds the video itself, not `{ video }`). */
export function useVideo(id: string | null) {
  return useQuery({ queryKey: videoKeys.video(id ?? ''), queryFn: ({ signal }) => fetchVideo(id!, signal), enabled: id !== null });
}

const processed = (v: Video) => v.progress === 100 || v.status === 'failed';

/**
 * The uploader's clip while it is processed, kept current by the WebSocket: the server pushes
 * `video.progress` frames to the uploader's sockets, so nothing is polled while the socket is up.
 * Only while it is down is `GET /videos/:id` polled every second; when it (re)connects the clip
 * is read once (frames sent meanwhile are gone), and again when the status changes (`ready`
 * brings the poster and the playlist, which the frame does not carry).
 */
export function useVideoProgress(id: string) {
  const qc = useQueryClient();
  const socket = useRealtimeStatus();
  const key = videoKeys.video(id);
  useRealtime();
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => fetchVideo(id, signal),
    refetchInterval: (q) => (socket !== 'online' && q.state.data && !processed(q.state.data) ? 1000 : false),
  });
  useRealtimeFrames((frame) => {
    if (frame.type === 'ready') {
      void qc.invalidateQueries({ queryKey: key });
      return;
    }
    if (frame.type !== 'video.progress' || frame.videoId !== id) return;
    void (async () => {
      // A read in flight started before this frame: it must not overwrite it.
      await qc.cancelQueries({ queryKey: key });
      const old = qc.getQueryData<Video>(key);
      if (!old) return void qc.invalidateQueries({ queryKey: key });
      const { status, progress, failureReason } = frame;
      const next: Video = { ...old, status, progress };
      if (failureReason) next.failureReason = failureReason;
      qc.setQueryData(key, next);
      if (status !== old.status || progress === 100) void qc.invalidateQueries({ queryKey: key });
    })();
  });
  return query;
}

/** A grid's clips, 30 at a time: someone's own (`/users/:id/videos`), or the signed-in person's liked or saved ones. */
export function useVideoList(key: readonly unknown[], path: string) {
  return useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam, signal }) => api(path, { query: { cursor: pageParam, limit: 30 }, schema: VideoPage, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Replaces one video everywhere it is cached (feeds, grids, its own page). */
function useUpdateCachedVideo() {
  const qc = useQueryClient();
  return (video: Video) => {
    qc.setQueryData(videoKeys.video(video.id), video);
    for (const [key, data] of qc.getQueriesData<InfiniteData<VideoPage>>({ predicate: (q) => ['feed', 'user-videos', 'my-videos'].includes(String(q.queryKey[0])) })) {
      if (!data) continue;
      qc.setQueryData(key, { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((v) => (v.id === video.id ? video : v)) })) });
    }
  };
}

/** Like / unlike, optimistic: the heart fills at once and rolls back, with a quiet message, if the server says no. */
export function useLike() {
  const update = useUpdateCachedVideo();
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ video, liked }: { video: Video; liked: boolean }) =>
      api(`/videos/${video.id}/like`, { method: liked ? 'PUT' : 'DELETE', schema: VideoResult }).then((r) => r.video),
    onMutate: ({ video, liked }) => {
      if (video.viewer.liked === liked) return;
      update({ ...video, viewer: { ...video.viewer, liked }, counts: { ...video.counts, likes: video.counts.likes + (liked ? 1 : -1) } });
    },
    onError: (_e, { video, liked }) => {
      update(video);
      toast(liked ? 'Couldn’t like this clip. Try again.' : 'Couldn’t remove your like. Try again.', 'error');
    },
    onSuccess: (video) => {
      update(video);
      void qc.invalidateQueries({ queryKey: videoKeys.mine('liked') });
    },
  });
}

/** Save / unsave, optimistic like `useLike` (saves have no public count). */
export function useSave() {
  const update = useUpdateCachedVideo();
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ video, saved }: { video: Video; saved: boolean }) =>
      api(`/videos/${video.id}/save`, { method: saved ? 'PUT' : 'DELETE', schema: VideoResult }).then((r) => r.video),
    onMutate: ({ video, saved }) => {
      if (video.viewer.saved !== saved) update({ ...video, viewer: { ...video.viewer, saved } });
    },
    onError: (_e, { video, saved }) => {
      update(video);
      toast(saved ? 'Couldn’t save this clip. Try again.' : 'Couldn’t remove it from your saved clips. Try again.', 'error');
    },
    onSuccess: (video) => {
      update(video);
      void qc.invalidateQueries({ queryKey: videoKeys.mine('saved') });
    },
  });
}

export function useComments(videoId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: videoKeys.comments(videoId),
    enabled,
    queryFn: ({ pageParam, signal }) => api(`/videos/${videoId}/comments`, { query: { cursor: pageParam, limit: 30 }, schema: page(Comment), signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useAddComment(video: Video) {
  const qc = useQueryClient();
  const update = useUpdateCachedVideo();
  return useMutation({
    mutationFn: (body: { text: string; replyToId?: string }) => api(`/videos/${video.id}/comments`, { json: body, schema: z.object({ comment: Comment }) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: videoKeys.comments(video.id) });
      update({ ...video, counts: { ...video.counts, comments: video.counts.comments + 1 } });
    },
  });
}

/**
 * Playback events, batched: sent every few seconds, when the page is hidden, and before For You
 * asks for its next page (flushEvents). Best effort as ever: a batch that fails is dropped.
 */
type PlaybackEvent = { type: 'impression' | 'watch' | 'skip' | 'completion' | 'not_interested'; videoId: string; watchedMs?: number; at: string };
const queue: PlaybackEvent[] = [];
let scheduled = false;
/** Sends every pending event now (batches of 100); resolves once they are sent or failed, never rejects. */
export function flushEvents(): Promise<void> {
  const sends: Promise<unknown>[] = [];
  while (queue.length) sends.push(api('/events', { json: { events: queue.splice(0, 100) } }).catch(() => {}));
  return Promise.all(sends).then(() => {});
}
function flush() {
  scheduled = false;
  void flushEvents();
}
export function trackEvent(e: Omit<PlaybackEvent, 'at'>) {
  queue.push({ ...e, at: new Date().toISOString() });
  if (queue.length >= 50) flush();
  else if (!scheduled) {
    scheduled = true;
    window.setTimeout(flush, 4000);
  }
}
// On window, where the event arrives after bubbling up from document: after the clip on screen has
// told its watch and sent the queue (ClipCard), so the page sends one batch as it hides, not two.
if (typeof window !== 'undefined') window.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());

import type { Video } from '@loop/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { Link } from 'react-router';
import { IconPlus, IconSearch } from '../../ui/icons.tsx';
import { useSession } from '../../app/session.ts';
import { useMediaQuery } from '../../ui/use-media-query.ts';
import { StoryTray } from '../stories/StoryTray.tsx';
import { LiveNowRow } from '../live/LiveNow.tsx';
import { ClipCard } from './ClipCard.tsx';
import { CommentsSheet } from './CommentsSheet.tsx';
import { CHRONOLOGICAL_PREFETCH_LEFT } from './feed-paging.ts';
import { type FeedKind, trackEvent, useFeed, useForYouRerank } from './video-api.ts';
import './video.css';

const TABS: Array<[FeedKind, string]> = [
  ['following', 'Following'],
  ['friends', 'Friends'],
  ['for-you', 'For You'],
];

/**
 * Clips this far from the one on screen are drawn in full (a swipe never meets an empty one); the
 * others keep their place with an empty card until they come near: eight full cards were most of
 * Home's first render, on the main thread while the first clip starts.
 */
const RENDERED_AROUND = 2;

function ClipPlaceholder({ video }: { video: Video }) {
  return <article className="clip" aria-label={`Video by @${video.author.username}`} data-video-id={video.id} data-active={false} />;
}

/**
 * Home: a full-screen vertical feed. Scroll-snap does the swiping; an IntersectionObserver
 * says which clip is on screen (it plays, the next one buffers, the rest are detached).
 * Keys: ↓/j next, ↑/k previous, Space pause. Muted until the first tap, as browsers require.
 */
export function FeedScreen({ initial = 'for-you' }: { initial?: FeedKind }) {
  const [kind, setKind] = useState<FeedKind>(initial);
  // Desktop Home shows the stories tray beside the feed (phones have it on Friends).
  const wide = useMediaQuery('(min-width: 1200px)');
  const storiesBeside = useSession().status === 'signed-in' && wide;
  const feed = useFeed(kind);
  const videos = feed.data?.pages.flatMap((p) => p.items) ?? [];
  const [activeIndex, setActiveIndex] = useState(0);
  const [muted, setMuted] = useState(true);
  const [commentsFor, setCommentsFor] = useState<Video | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const seen = useRef(new Set<string>());
  // For You: the furthest clip reached. A swipe further re-ranks what lies ahead (feed-paging.ts);
  // going back up to a clip seen before does not (it would rewrite the clips already seen after it).
  const furthest = useRef(0);
  const { rerank, loading: rankingAhead } = useForYouRerank();
  // The next clip buffers (and clips beside the screen load their poster) once the first one plays,
  // or after a few seconds: until then the clip on screen has the whole connection.
  const [warm, setWarm] = useState(false);
  useEffect(() => {
    const root = scroller.current;
    const on = () => setWarm(true);
    // 'playing' does not bubble; the capture phase still passes the scroller.
    root?.addEventListener('playing', on, true);
    const timer = setTimeout(on, 4000);
    return () => {
      root?.removeEventListener('playing', on, true);
      clearTimeout(timer);
    };
  }, []);

  // Re-observe whenever the list of clips changes (a new page, a re-rank, another feed).
  const listKey = videos.map((v) => v.id).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: listKey and kind are the triggers, not read inside
  useEffect(() => {
    const root = scroller.current;
    if (!root) return;
    const io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) if (e.isIntersecting) setActiveIndex(Number((e.target as HTMLElement).dataset.index));
      },
      { root, threshold: 0.6 },
    );
    for (const el of root.querySelectorAll('[data-index]')) io.observe(el);
    return () => io.disconnect();
  }, [listKey, kind]);

  const active = videos[activeIndex];
  useEffect(() => {
    // By position: For You shows a clip again once there is nothing new, and that is an impression too.
    const slot = `${kind}:${activeIndex}:${active?.id}`;
    if (active && !seen.current.has(slot)) {
      seen.current.add(slot);
      trackEvent({ type: 'impression', videoId: active.id });
    }
    // Following and Friends, near the end: fetch the next page (For You re-ranks instead, below).
    if (kind !== 'for-you' && activeIndex >= videos.length - CHRONOLOGICAL_PREFETCH_LEFT && feed.hasNextPage && !feed.isFetchingNextPage) void feed.fetchNextPage();
  }, [active, activeIndex, videos.length, feed, kind]);

  // For You: a swipe on to a clip not seen yet re-ranks what lies ahead on the swipes so far (after
  // the impression above and the last clip's watch or skip are queued); so does reaching the end of
  // the queue. Not on other changes: an answer that adds nothing must not ask again.
  useEffect(() => {
    if (kind !== 'for-you' || !videos.length) return;
    if (activeIndex > furthest.current || activeIndex >= videos.length - 1) {
      furthest.current = Math.max(furthest.current, activeIndex);
      void rerank(activeIndex);
    }
  }, [activeIndex, videos.length, kind, rerank]);

  const go = useCallback((delta: number) => {
    const root = scroller.current;
    if (!root) return;
    root.scrollBy({ top: delta * root.clientHeight, behavior: 'smooth' });
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (commentsFor || (e.target as HTMLElement).closest('input, textarea, [contenteditable]')) return;
      if (e.key === 'ArrowDown' || e.key === 'j') {
        e.preventDefault();
        go(1);
      } else if (e.key === 'ArrowUp' || e.key === 'k') {
        e.preventDefault();
        go(-1);
      } else if (e.key === ' ') {
        e.preventDefault();
        const v = scroller.current?.querySelector<HTMLVideoElement>('[data-active="true"] video');
        if (v) v.paused ? void v.play() : v.pause();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go, commentsFor]);

  return (
    <div className="feed">
      <nav className="feed__tabs" aria-label="Feeds">
        {TABS.map(([k, label]) => (
          <button
            key={k}
            type="button"
            className={k === kind ? 'feed__tab feed__tab--on' : 'feed__tab'}
            aria-pressed={k === kind}
            onClick={() => {
              setKind(k);
              setActiveIndex(0);
              furthest.current = 0;
              scroller.current?.scrollTo({ top: 0 });
            }}
          >
            {label}
          </button>
        ))}
        <Link to="/discover" className="feed__discover" aria-label="Discover: search clips, people, hashtags">
          <IconSearch size={22} />
        </Link>
      </nav>
      {/* Lives on air come first in Following and Friends. */}
      {kind !== 'for-you' ? <LiveNowRow /> : null}
      <div className="feed__scroller" ref={scroller} data-testid="feed">
        {feed.isPending ? (
          <div className="feed__state" role="status" aria-busy="true">
            Loading…
          </div>
        ) : feed.isError ? (
          <div className="feed__state">
            <ErrorState message="The feed didn’t load." onRetry={() => void feed.refetch()} />
          </div>
        ) : videos.length === 0 ? (
          <div className="feed__state">
            <EmptyState
              icon={<IconPlus size={28} />}
              title={kind === 'for-you' ? 'Nothing new right now' : kind === 'friends' ? 'No clips from friends yet' : 'No clips from people you follow'}
              action={
                <ButtonLink to="/create" variant="primary">
                  Post a clip
                </ButtonLink>
              }
            >
              {kind === 'for-you' ? 'You’ve watched everything. Come back soon.' : 'When they post, their clips show up here.'}
            </EmptyState>
          </div>
        ) : (
          videos.map((v, i) => (
            // A clip may come round again further down For You: the position is the key.
            <div key={`${i}:${v.id}`} className="feed__item" data-index={i}>
              {v.caughtUpWithFriends && kind === 'for-you' ? (
                <p className="feed__caught-up" role="status">
                  <span aria-hidden="true">✓</span> You’re caught up with friends
                </p>
              ) : null}
              {Math.abs(i - activeIndex) <= RENDERED_AROUND ? (
                <ClipCard
                  video={v}
                  active={i === activeIndex}
                  preload={warm && i === activeIndex + 1}
                  near={i === activeIndex || (warm && Math.abs(i - activeIndex) <= 1)}
                  muted={muted}
                  onUnmute={() => setMuted(false)}
                  onComments={setCommentsFor}
                  // Played to the end: the clearest sign of what works; For You re-ranks at once.
                  onCompleted={kind === 'for-you' ? () => i >= furthest.current && void rerank(i) : undefined}
                />
              ) : (
                <ClipPlaceholder video={v} />
              )}
            </div>
          ))
        )}
        {/* For You past its last clip while the next ones are on their way: a swipe lands here and the
            clip takes its place. Keyed by the clips' count: the answer's clips may render a moment
            before the card goes (the query's update and the re-rank's end can be two renders). Were
            the card the same element, Chromium would keep it, the snapped element, on screen across
            that layout change, carrying the person past the new clips to land on the second one when
            it went. A new card is not the snapped element, so the first new clip takes its place. */}
        {kind === 'for-you' && videos.length > 0 && rankingAhead ? (
          <div key={`more-${videos.length}`} className="feed__item feed__more" role="status" aria-label="Loading more clips">
            <div className="spinner-on-video" aria-hidden="true" />
          </div>
        ) : null}
      </div>
      {commentsFor ? <CommentsSheet video={commentsFor} onClose={() => setCommentsFor(null)} /> : null}
      {storiesBeside ? (
        <aside className="story-side">
          <StoryTray variant="column" />
        </aside>
      ) : null}
    </div>
  );
}

export const FriendsFeedScreen = () => <FeedScreen initial="friends" />;

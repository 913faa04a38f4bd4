import type { Video } from '@loop/contracts';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { formatCount } from '../accounts/format.ts';
import { SignInSheet } from '../accounts/SignInSheet.tsx';
import { ClipMenu } from '../discovery/ClipMenu.tsx';
import { ShareSheet } from '../sharing/ShareSheet.tsx';
import { ProductBar } from '../shop/ProductBar.tsx';
import { Caption } from './Caption.tsx';
import { HlsVideo } from './HlsVideo.tsx';
import { flushEvents, trackEvent, useLike, useSave } from './video-api.ts';
import { AvatarOrLive } from '../live/LiveNow.tsx';

export interface ClipCardProps {
  video: Video;
  active: boolean;
  preload: boolean;
  /**
   * Whether the clip is on screen or next to it (default true). Only those load their poster: a
   * page of the feed is eight clips, and their posters together would otherwise hold up the first.
   */
  near?: boolean;
  muted: boolean;
  onUnmute: () => void;
  onComments: (video: Video) => void;
  /** The clip played to its end (told once, as the completion event is). */
  onCompleted?: () => void;
}

/**
 * One full-screen clip: video, caption bottom-left, action rail on the right. The rail's counts are
 * part of each control's name ("Like, 12"), not separate text, so what is seen is what is announced.
 */
export function ClipCard({ video, active, preload, near = true, muted, onUnmute, onComments, onCompleted }: ClipCardProps) {
  const like = useLike();
  const save = useSave();
  const signedOut = useSession().status === 'signed-out';
  // What a signed-out person tried to do: they are asked to sign in first.
  const [signInFor, setSignInFor] = useState<string | null>(null);
  const [burst, setBurst] = useState(0);
  const [sharing, setSharing] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [captionOpen, setCaptionOpen] = useState(false);
  const longCaption = video.caption.length > 90 || video.caption.includes('\n');
  const lastTap = useRef(0);
  const watched = useRef({ ms: 0, reported: false, completed: false });
  const videoRef = useRef<HTMLVideoElement | null>(null);

  // The sheets mount the first time they open, then stay (closing a dialog returns focus to its
  // opener): eight clips' closed sheets were much of Home's first render.
  const menuMounted = useLatch(menuOpen);
  const shareMounted = useLatch(sharing);
  const signInMounted = useLatch(signInFor !== null);

  // How far the person got is told once, when they leave the clip (swiped on, the screen left,
  // the page hidden): under a second is a skip, otherwise a watch of what they saw; a completion
  // is told as it happens. Reporting at the first second instead would tell For You that ten
  // seconds of a fifteen-second clip were a glance, which its ranking reads as a skip, and a
  // quick swipe would say nothing at all.
  useEffect(() => {
    if (!active) return;
    const report = () => {
      const w = watched.current;
      if (w.reported || w.completed) return;
      w.reported = true;
      trackEvent({ type: w.ms < 1000 ? 'skip' : 'watch', videoId: video.id, watchedMs: Math.round(w.ms) });
    };
    const onHide = () => {
      if (document.visibilityState !== 'hidden') return;
      report();
      void flushEvents();
    };
    document.addEventListener('visibilitychange', onHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      report();
    };
  }, [active, video.id]);

  const toggleLike = (liked = !video.viewer.liked) => (signedOut ? setSignInFor('Log in to like this clip') : like.mutate({ video, liked }));
  const toggleSave = () => (signedOut ? setSignInFor('Log in to save this clip') : save.mutate({ video, saved: !video.viewer.saved }));
  const openShare = () => (signedOut ? setSignInFor('Log in to send this clip') : setSharing(true));

  // A tap unmutes (browsers allow sound only after a gesture) or pauses; a double tap likes.
  const onTap = () => {
    const now = Date.now();
    if (now - lastTap.current < 300) {
      lastTap.current = 0;
      if (!video.viewer.liked) toggleLike(true);
      if (!signedOut) setBurst((b) => b + 1);
      return;
    }
    lastTap.current = now;
    window.setTimeout(() => {
      if (lastTap.current !== now) return;
      if (muted) onUnmute();
      else {
        const v = videoRef.current;
        if (v) v.paused ? void v.play() : v.pause();
      }
    }, 300);
  };

  return (
    <article className="clip" aria-label={`Video by @${video.author.username}`} data-video-id={video.id} data-active={active}>
      <HlsVideo
        ref={videoRef}
        src={video.hlsUrl}
        poster={active || preload || near ? video.posterUrl : null}
        active={active}
        preload={preload}
        muted={muted}
        label={video.caption || `Video by @${video.author.username}`}
        onTime={(ms, duration) => {
          const w = watched.current;
          if (ms > w.ms) w.ms = ms;
          if (!w.completed && duration > 0 && ms >= duration - 300) {
            w.completed = true;
            trackEvent({ type: 'completion', videoId: video.id, watchedMs: Math.round(duration) });
            onCompleted?.();
          }
        }}
      />
      <button type="button" className="clip__tap" aria-label={muted ? 'Tap for sound' : 'Pause or play'} onClick={onTap} />
      {burst > 0 ? <span key={burst} className="clip__burst" aria-hidden="true">♥</span> : null}
      {muted && active ? <span className="clip__muted">Tap for sound</span> : null}
      <div className="clip__info">
        <ProductBar videoId={video.id} active={active} />
        <Link to={`/u/${video.author.username}`} className="clip__author">
          <UserText>@{video.author.username}</UserText>
        </Link>
        <div className={longCaption && !captionOpen ? 'clip__caption clip__caption--clamped' : 'clip__caption'}>
          <Caption text={video.caption} entities={video.entities} />
        </div>
        {longCaption ? (
          <button type="button" className="clip__more" aria-expanded={captionOpen} onClick={() => setCaptionOpen((o) => !o)}>
            {captionOpen ? 'less' : 'more'}
          </button>
        ) : null}
      </div>
      <div className="clip__rail">
        {/* Named by hidden text, not aria-label: the avatar's initials are not part of the name. */}
        {/* On air: the ringed avatar opens their live (TikTok's), else their profile. */}
        <AvatarOrLive user={video.author} size={40}>
          <Link to={`/u/${video.author.username}`}>
            <Avatar username={video.author.username} name={video.author.displayName} src={video.author.avatarUrl} size={44} ring decorative />
            <span className="visually-hidden">Profile of @{video.author.username}</span>
          </Link>
        </AvatarOrLive>
        <button
          type="button"
          className="clip__action"
          aria-pressed={video.viewer.liked}
          aria-label={`${video.viewer.liked ? 'Unlike' : 'Like'}, ${formatCount(video.counts.likes)}`}
          onClick={() => toggleLike()}
        >
          <span className={video.viewer.liked ? 'clip__heart clip__heart--on' : 'clip__heart'} aria-hidden="true">♥</span>
          <span className="clip__count" data-testid="like-count" aria-hidden="true">{formatCount(video.counts.likes)}</span>
        </button>
        <button type="button" className="clip__action" aria-label={`Comments, ${formatCount(video.counts.comments)}`} onClick={() => onComments(video)} disabled={!video.commentsEnabled}>
          <span aria-hidden="true">💬</span>
          <span className="clip__count" aria-hidden="true">{formatCount(video.counts.comments)}</span>
        </button>
        <button type="button" className="clip__action" aria-label={`Share, ${formatCount(video.counts.shares)}`} onClick={openShare}>
          <span aria-hidden="true">➦</span>
          <span className="clip__count" aria-hidden="true">{formatCount(video.counts.shares)}</span>
        </button>
        <button
          type="button"
          className="clip__action"
          aria-pressed={video.viewer.saved}
          aria-label={video.viewer.saved ? 'Remove from saved' : 'Save'}
          onClick={toggleSave}
        >
          <span className={video.viewer.saved ? 'clip__save clip__save--on' : 'clip__save'} aria-hidden="true">
            {video.viewer.saved ? '★' : '☆'}
          </span>
        </button>
        <Link className="clip__action" to={`/video/${video.id}`} aria-label={`Open video page, ${formatCount(video.counts.views)} views`}>
          <span aria-hidden="true">↗</span>
          <span className="clip__count" aria-hidden="true">{formatCount(video.counts.views)}</span>
        </Link>
        {signedOut ? null : (
          <button type="button" className="clip__action" aria-label="More: why this video, not interested" aria-haspopup="dialog" onClick={() => setMenuOpen(true)}>
            <span aria-hidden="true">⋯</span>
          </button>
        )}
      </div>
      {signedOut || !menuMounted ? null : <ClipMenu video={video} open={menuOpen} onClose={() => setMenuOpen(false)} />}
      {signedOut || !shareMounted ? null : <ShareSheet videoId={video.id} open={sharing} onClose={() => setSharing(false)} />}
      {signInMounted ? <SignInSheet open={signInFor !== null} onClose={() => setSignInFor(null)} title={signInFor ?? ''} /> : null}
    </article>
  );
}

/** True from the first render where `on` is true, for good. */
function useLatch(on: boolean): boolean {
  const [latched, setLatched] = useState(on);
  if (on && !latched) setLatched(true);
  return latched || on;
}

import type { Story, User } from '@loop/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { describeError } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconClose } from '../../ui/icons.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { HlsVideo } from '../video/HlsVideo.tsx';
import { useMarkSeen, useReplyToStory, useStoryTray, useUserStories } from './stories-api.ts';
import { StoryViewersSheet } from './StoryViewersSheet.tsx';
import './stories.css';

/** How long a picture stays on screen. */
const IMAGE_MS = 5000;
/** A press longer than this pauses (hold) instead of moving (tap). */
const HOLD_MS = 200;
const REACTIONS = ['❤️', '😂', '😮', '😢', '👏', '🔥'] as const;

interface Person {
  user: User;
  stories: Story[];
}

/** Where to start in a person's stories: the first one not yet seen (all seen: the first). */
const firstUnseen = (p: Person | undefined) => Math.max(0, p?.stories.findIndex((s) => !s.viewer.seen) ?? 0);

/**
 * The story viewer: full screen, a progress bar per story, tap right/left to move, hold to
 * pause, swipe sideways to the next person, swipe down (or Esc) to close; the next story is
 * preloaded. Others' stories have a reply field and quick reactions (sent to the chat with the
 * author); one's own have the viewers list and delete.
 */
export function StoryViewerScreen() {
  const { userId = '' } = useParams();
  const me = useMe().user;
  const navigate = useNavigate();
  const own = userId === me.id;
  const tray = useStoryTray();
  const single = useUserStories(own || (tray.isSuccess && !tray.data.items.some((e) => e.user.id === userId)) ? userId : undefined);

  // The people this viewer moves through: the tray from the person tapped on (frozen when opened,
  // so marking stories seen does not reorder it under the viewer's feet), or just this person.
  const [people, setPeople] = useState<Person[] | null>(null);
  useEffect(() => {
    if (people) return;
    if (!own && tray.data?.items.some((e) => e.user.id === userId)) {
      const items = tray.data.items;
      const from = items.findIndex((e) => e.user.id === userId);
      setPeople(items.slice(from).map((e) => ({ user: e.user, stories: e.stories })));
    } else if (single.data) {
      const stories = single.data.items;
      setPeople(stories.length ? [{ user: stories[0]!.author, stories }] : []);
    }
  }, [people, own, tray.data, single.data, userId]);

  const [personIndex, setPersonIndex] = useState(0);
  const [storyIndex, setStoryIndex] = useState(0);
  const started = useRef(false);
  useEffect(() => {
    if (people && !started.current) {
      started.current = true;
      setStoryIndex(own ? 0 : firstUnseen(people[0]));
    }
  }, [people, own]);

  const close = useCallback(() => {
    if (window.history.state?.idx > 0) navigate(-1);
    else navigate('/friends', { replace: true });
  }, [navigate]);

  const person = people?.[personIndex];
  const story = person?.stories[storyIndex];

  const [held, setHeld] = useState(false);
  const [typing, setTyping] = useState(false);
  const [sheetOpen, setSheetOpen] = useState(false);
  const paused = held || typing || sheetOpen;
  const [progress, setProgress] = useState(0);

  const next = useCallback(() => {
    if (!people || !person) return;
    if (storyIndex < person.stories.length - 1) setStoryIndex(storyIndex + 1);
    else if (personIndex < people.length - 1) {
      setPersonIndex(personIndex + 1);
      setStoryIndex(firstUnseen(people[personIndex + 1]));
    } else close();
  }, [people, person, storyIndex, personIndex, close]);
  const prev = useCallback(() => {
    if (!people) return;
    if (storyIndex > 0) setStoryIndex(storyIndex - 1);
    else if (personIndex > 0) {
      setPersonIndex(personIndex - 1);
      setStoryIndex(0);
    }
  }, [people, storyIndex, personIndex]);
  const nextPerson = useCallback(() => {
    if (!people) return;
    if (personIndex < people.length - 1) {
      setPersonIndex(personIndex + 1);
      setStoryIndex(firstUnseen(people[personIndex + 1]));
    } else close();
  }, [people, personIndex, close]);
  const prevPerson = useCallback(() => {
    if (personIndex > 0) {
      setPersonIndex(personIndex - 1);
      setStoryIndex(0);
    }
  }, [personIndex]);

  // Seen once shown (never one's own).
  const markSeen = useMarkSeen();
  const marked = useRef(new Set<string>());
  useEffect(() => {
    if (!story || own || marked.current.has(story.id)) return;
    marked.current.add(story.id);
    markSeen.mutate(story.id);
  }, [story, own, markSeen]);

  // The clock of a picture (a clip's is its own playback): paused while held, typing or in the sheet.
  const elapsed = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new story restarts the clock
  useEffect(() => {
    elapsed.current = 0;
    setProgress(0);
  }, [story?.id]);
  useEffect(() => {
    if (story?.mediaType !== 'image' || paused) return;
    let last = performance.now();
    let raf = 0;
    const tick = (now: number) => {
      elapsed.current += now - last;
      last = now;
      setProgress(Math.min(1, elapsed.current / IMAGE_MS));
      if (elapsed.current >= IMAGE_MS) next();
      else raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [story, paused, next]);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  useEffect(() => {
    const v = videoRef.current;
    if (!v || story?.mediaType !== 'video') return;
    if (paused) v.pause();
    else v.play().catch(() => {});
  }, [paused, story]);

  // Taps, holds and swipes on the picture.
  const press = useRef<{ x: number; y: number; at: number; timer: number } | null>(null);
  const onPointerDown = (e: React.PointerEvent) => {
    if ((e.target as HTMLElement).closest('button, a, input, form')) return;
    const timer = window.setTimeout(() => setHeld(true), HOLD_MS);
    press.current = { x: e.clientX, y: e.clientY, at: Date.now(), timer };
  };
  const onPointerUp = (e: React.PointerEvent) => {
    const p = press.current;
    press.current = null;
    if (!p) return;
    window.clearTimeout(p.timer);
    const wasHeld = held || Date.now() - p.at >= HOLD_MS;
    setHeld(false);
    const dx = e.clientX - p.x;
    const dy = e.clientY - p.y;
    if (dy > 80 && Math.abs(dy) > Math.abs(dx)) return close();
    if (Math.abs(dx) > 60) return dx < 0 ? nextPerson() : prevPerson();
    if (wasHeld) return;
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    if (e.clientX - box.left < box.width * 0.3) prev();
    else next();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea') || sheetOpen) return;
      if (e.key === 'Escape') close();
      else if (e.key === 'ArrowRight') next();
      else if (e.key === 'ArrowLeft') prev();
      else if (e.key === 'ArrowDown') nextPerson();
      else if (e.key === 'ArrowUp') prevPerson();
      else if (e.key === ' ') {
        e.preventDefault();
        setHeld((h) => !h);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close, next, prev, nextPerson, prevPerson, sheetOpen]);

  // The next story's media, fetched ahead so the tap shows it at once.
  const upcoming = useMemo(() => {
    if (!people || !person) return null;
    return person.stories[storyIndex + 1] ?? people[personIndex + 1]?.stories[firstUnseen(people[personIndex + 1])] ?? null;
  }, [people, person, storyIndex, personIndex]);

  if (!people) {
    const failed = tray.isError || single.isError;
    return (
      <div className="story-viewer" data-testid="story-viewer">
        {failed ? (
          <div className="story-viewer__state">
            <ErrorState message="Stories didn’t load." onRetry={() => void (tray.isError ? tray.refetch() : single.refetch())} />
          </div>
        ) : (
          <div className="story-viewer__state" role="status" aria-busy="true">
            Loading…
          </div>
        )}
      </div>
    );
  }
  if (!person || !story) {
    return (
      <div className="story-viewer" data-testid="story-viewer">
        <div className="story-viewer__state">
          <p>No stories to show right now.</p>
          <Button variant="secondary" onClick={close}>
            Close
          </Button>
        </div>
      </div>
    );
  }

  const name = person.user.displayName || person.user.username;
  const barFill = (i: number) => (i < storyIndex ? 1 : i > storyIndex ? 0 : progress);
  return (
    <div className="story-viewer" data-testid="story-viewer" data-story-id={story.id} data-paused={paused ? 'true' : 'false'}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: taps and holds for pointers; keys (←/→/Space/Esc) and the labelled buttons do the same */}
      <div className="story-viewer__stage" onPointerDown={onPointerDown} onPointerUp={onPointerUp} onPointerCancel={() => setHeld(false)} onContextMenu={(e) => e.preventDefault()}>
        <div className="story-viewer__media">
          {story.mediaType === 'image' ? (
            <img src={story.mediaUrl ?? ''} alt={story.caption ? `Story: ${story.caption}` : `${name}’s story`} draggable={false} />
          ) : (
            <HlsVideo
              ref={videoRef}
              src={story.hlsUrl}
              poster={story.posterUrl}
              active={!paused}
              preload
              muted={false}
              label={`${name}’s story`}
              onTime={(ms, d) => setProgress(d > 0 ? Math.min(1, ms / d) : 0)}
              onEnded={next}
            />
          )}
          {story.caption ? <p className="story-viewer__caption user-text">{story.caption}</p> : null}
        </div>

        <div className="story-viewer__top">
          <div className="story-viewer__bars" aria-hidden="true">
            {person.stories.map((s, i) => (
              <span key={s.id} className="story-viewer__bar">
                <span className="story-viewer__fill" style={{ transform: `scaleX(${barFill(i)})` }} />
              </span>
            ))}
          </div>
          <div className="story-viewer__head">
            <Avatar username={person.user.username} name={name} src={person.user.avatarUrl} size={32} decorative />
            <UserText className="story-viewer__name">{name}</UserText>
            <span className="story-viewer__time">
              <RelativeTime iso={story.createdAt} />
            </span>
            {story.audience === 'close_friends' ? <span className="story-viewer__badge">Close friends</span> : null}
            <span className="story-viewer__sr" aria-live="polite">
              Story {storyIndex + 1} of {person.stories.length}
              {paused ? ', paused' : ''}
            </span>
            <button type="button" className="story-viewer__close" aria-label="Close stories" onClick={close}>
              <IconClose size={26} />
            </button>
          </div>
        </div>
        <button type="button" className="story-viewer__nav story-viewer__nav--prev" aria-label="Previous story" onClick={prev} tabIndex={-1} />
        <button type="button" className="story-viewer__nav story-viewer__nav--next" aria-label="Next story" onClick={next} tabIndex={-1} />
      </div>

      {own ? (
        <div className="story-viewer__bottom">
          <Button variant="secondary" className="story-viewer__viewers" onClick={() => setSheetOpen(true)} data-testid="story-viewers-button">
            👁 {story.viewCount ?? 0} {story.viewCount === 1 ? 'viewer' : 'viewers'}
          </Button>
        </div>
      ) : (
        <ReplyBar key={story.id} story={story} name={name} onTyping={setTyping} />
      )}
      {upcoming?.mediaType === 'image' && upcoming.mediaUrl ? <img className="story-viewer__preload" src={upcoming.mediaUrl} alt="" aria-hidden="true" /> : null}
      {upcoming?.mediaType === 'video' && upcoming.posterUrl ? <img className="story-viewer__preload" src={upcoming.posterUrl} alt="" aria-hidden="true" /> : null}
      {own ? (
        <StoryViewersSheet
          story={sheetOpen ? story : null}
          onClose={() => setSheetOpen(false)}
          onDeleted={() => {
            setSheetOpen(false);
            close();
          }}
        />
      ) : null}
    </div>
  );
}

function ReplyBar({ story, name, onTyping }: { story: Story; name: string; onTyping: (on: boolean) => void }) {
  const [text, setText] = useState('');
  const reply = useReplyToStory();
  const toast = useToast();
  const send = (body: { text?: string; reaction?: string }) =>
    reply.mutate(
      { storyId: story.id, ...body },
      {
        onSuccess: () => {
          setText('');
          toast(body.reaction && !body.text ? `${body.reaction} sent to ${name}` : `Reply sent to ${name}`);
        },
        onError: (e) => toast(describeError(e), 'error'),
      },
    );
  return (
    <div className="story-viewer__bottom">
      <div className="story-viewer__reactions" role="group" aria-label="Quick reactions">
        {REACTIONS.map((r) => (
          <button key={r} type="button" className="story-viewer__reaction" aria-label={`React ${r}`} disabled={reply.isPending} onClick={() => send({ reaction: r })}>
            {r}
          </button>
        ))}
      </div>
      <form
        className="story-viewer__reply"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) send({ text: text.trim() });
        }}
      >
        <input
          className="story-viewer__input"
          value={text}
          maxLength={2000}
          placeholder={`Reply to ${name}…`}
          aria-label={`Reply to ${name}`}
          onChange={(e) => setText(e.target.value)}
          onFocus={() => onTyping(true)}
          onBlur={() => onTyping(false)}
        />
        <Button type="submit" variant="primary" disabled={!text.trim()} loading={reply.isPending}>
          Send
        </Button>
      </form>
    </div>
  );
}

import { Link, useNavigate } from 'react-router';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { useStoryTray, useUserStories } from './stories-api.ts';
import './stories.css';

/**
 * The stories tray: "Your story" first, then people with stories, unseen first (the server's
 * order). A coloured ring means something unseen, a grey one that everything was seen.
 * `variant="column"`: a vertical list beside the feed on desktop Home.
 */
export function StoryTray({ variant = 'row' }: { variant?: 'row' | 'column' }) {
  const me = useMe().user;
  const tray = useStoryTray();
  const mine = useUserStories(me.id);
  const navigate = useNavigate();
  const myStories = mine.data?.items ?? [];
  const items = tray.data?.items ?? [];

  if (tray.isError && variant === 'column') return null;
  return (
    <nav className={`story-tray story-tray--${variant}`} aria-label="Stories" data-testid="story-tray">
      {variant === 'column' ? <h2 className="story-tray__title">Stories</h2> : null}
      <ul className="story-tray__list">
        <li className="story-tray__item">
          <button
            type="button"
            className="story-bubble"
            aria-label={myStories.length ? 'Your story: open' : 'Add to your story'}
            onClick={() => navigate(myStories.length ? `/stories/${me.id}` : '/stories/new')}
          >
            <span className={`story-ring ${myStories.length ? 'story-ring--unseen' : 'story-ring--none'}`}>
              <Avatar username={me.username} name={me.displayName} src={me.avatarUrl} size={56} decorative />
            </span>
            <span className="story-bubble__name">Your story</span>
          </button>
          <Link to="/stories/new" className="story-bubble__add" aria-label="New story">
            <span aria-hidden="true">+</span>
          </Link>
        </li>
        {tray.isPending
          ? [0, 1, 2, 3].map((i) => (
              <li key={i} className="story-tray__item" aria-hidden="true">
                <span className="story-bubble">
                  <Skeleton circle width={62} height={62} />
                  <Skeleton width={48} height={10} />
                </span>
              </li>
            ))
          : items.map((e) => (
              <li key={e.user.id} className="story-tray__item">
                <button
                  type="button"
                  className="story-bubble"
                  data-testid="story-bubble"
                  data-seen={e.allSeen ? 'true' : 'false'}
                  aria-label={`${e.user.displayName}’s story${e.allSeen ? '' : ', new'}`}
                  onClick={() => navigate(`/stories/${e.user.id}`)}
                >
                  <span className={`story-ring ${e.allSeen ? 'story-ring--seen' : 'story-ring--unseen'}`}>
                    <Avatar username={e.user.username} name={e.user.displayName} src={e.user.avatarUrl} size={56} decorative />
                  </span>
                  <span className="story-bubble__name user-text">{e.user.displayName || e.user.username}</span>
                </button>
              </li>
            ))}
      </ul>
      {tray.isError ? (
        <p className="story-tray__note">
          Stories didn’t load.{' '}
          <button type="button" className="story-tray__retry" onClick={() => void tray.refetch()}>
            Retry
          </button>
        </p>
      ) : !tray.isPending && items.length === 0 && variant === 'column' ? (
        <p className="story-tray__note">When friends post stories, they show up here.</p>
      ) : null}
    </nav>
  );
}

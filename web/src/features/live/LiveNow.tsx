import type { User } from '@loop/contracts';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useLiveFeed, useLiveOf } from './live-api.ts';
import './live.css';

/** An avatar with the red LIVE ring and tag: the person is on air now (a link to their live). */
export function LiveAvatar({ user, liveId, size = 56 }: { user: User; liveId: string; size?: number }) {
  return (
    <Link to={`/live/${liveId}`} className="live-avatar" aria-label={`${user.displayName} is live: watch`}>
      <span className="live-avatar__ring">
        <Avatar username={user.username} name={user.displayName} src={user.avatarUrl} size={size} decorative />
      </span>
      <span className="live-avatar__tag" aria-hidden="true">
        LIVE
      </span>
    </Link>
  );
}

/**
 * `children` (the plain avatar, or the link around it) unless the person is on air in a live the
 * viewer may watch: then the ringed avatar, which opens the live.
 */
export function AvatarOrLive({ user, size, children }: { user: User; size: number; children: ReactNode }) {
  const liveId = useLiveOf(user.id);
  return liveId ? <LiveAvatar user={user} liveId={liveId} size={size} /> : children;
}

/**
 * Lives on air at the top of the Following and Friends feeds (`GET /feed/live`, friends first):
 * a row of ringed avatars. Nothing at all when nobody is live, or while it loads, so the feed
 * below never jumps for an empty row.
 */
export function LiveNowRow() {
  const feed = useLiveFeed();
  const lives = (feed.data ?? []).filter((l) => l.status === 'live');
  if (lives.length === 0) return null;
  return (
    <nav className="live-now" aria-label="Live now">
      {lives.map((l) => (
        <div key={l.id} className="live-now__item">
          <LiveAvatar user={l.host} liveId={l.id} />
          <UserText className="live-now__name">{l.host.displayName}</UserText>
        </div>
      ))}
    </nav>
  );
}

import type { User } from '@loop/contracts';
import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { UserText } from '../../ui/UserText.tsx';
import './search.css';
import { useLiveOf } from '../live/live-api.ts';
import { LiveAvatar } from '../live/LiveNow.tsx';

/** Emphasises the typed prefix of the username (as text, never HTML). */
function Highlight({ text, prefix }: { text: string; prefix: string }) {
  const p = prefix.toLowerCase().replace(/^@/, '');
  if (!p || !text.startsWith(p)) return <>{text}</>;
  return (
    <>
      <mark>{text.slice(0, p.length)}</mark>
      {text.slice(p.length)}
    </>
  );
}

/** A person in a list: avatar, name, @username; opens their profile. Reusable by friends, inbox… */
export function UserRow({ user, highlight = '' }: { user: User; highlight?: string }) {
  // On air: the ringed avatar (a link to the live) sits beside the row's link, not inside it.
  const liveId = useLiveOf(user.id);
  return (
    <li className={liveId ? 'live-row' : undefined}>
      {liveId ? <LiveAvatar user={user} liveId={liveId} size={42} /> : null}
      <Link to={`/u/${user.username}`} className="user-row">
        {liveId ? null : <Avatar username={user.username} name={user.displayName} src={user.avatarUrl} size={48} />}
        <span className="user-row__text">
          <span className="user-row__name">
            <UserText>{user.displayName}</UserText>
          </span>
          <span className="user-row__username">
            <UserText>
              @<Highlight text={user.username} prefix={highlight} />
            </UserText>
          </span>
        </span>
      </Link>
    </li>
  );
}

/** Loading rows shaped like UserRow. */
export function UserRowSkeletons({ count = 6 }: { count?: number }) {
  return (
    <ul className="user-list" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} className="user-row">
          <Skeleton circle width={48} height={48} />
          <span className="user-row__text">
            <Skeleton width={140} height={14} />
            <Skeleton width={90} height={12} />
          </span>
        </li>
      ))}
    </ul>
  );
}

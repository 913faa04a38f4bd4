import type { User } from '@loop/contracts';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useLiveOf } from '../live/live-api.ts';
import { LiveAvatar } from '../live/LiveNow.tsx';

/**
 * A person with a line of context (reasons, "Follows you") and actions on the right. The row
 * links to their profile unless `linked` is false (someone you blocked has no profile to show).
 */
export function PersonRow({ user, detail, actions, linked = true }: { user: User; detail?: ReactNode; actions?: ReactNode; linked?: boolean }) {
  // On air: the ringed avatar (a link to the live) sits beside the row's link, not inside it.
  const liveId = useLiveOf(user.id);
  const who = (
    <>
      {liveId ? null : <Avatar username={user.username} name={user.displayName} src={user.avatarUrl} size={48} />}
      <span className="person-row__text">
        <span className="person-row__name">
          <UserText>{user.displayName}</UserText>
        </span>
        <span className="person-row__detail">
          <UserText>{detail ?? `@${user.username}`}</UserText>
        </span>
      </span>
    </>
  );
  return (
    <li className="person-row" data-testid={`person-${user.username}`}>
      {liveId ? <LiveAvatar user={user} liveId={liveId} size={42} /> : null}
      {linked ? (
        <Link to={`/u/${user.username}`} className="person-row__link">
          {who}
        </Link>
      ) : (
        <span className="person-row__link">{who}</span>
      )}
      {actions ? <span className="person-row__actions">{actions}</span> : null}
    </li>
  );
}

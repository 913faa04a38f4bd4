import type { User } from '@loop/contracts';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';

/** A person with a line of context (reasons, "Follows you") and actions on the right. */
export function PersonRow({ user, detail, actions }: { user: User; detail?: ReactNode; actions?: ReactNode }) {
  return (
    <li className="person-row" data-testid={`person-${user.username}`}>
      <Link to={`/u/${user.username}`} className="person-row__link">
        <Avatar username={user.username} name={user.displayName} src={user.avatarUrl} size={48} />
        <span className="person-row__text">
          <span className="person-row__name">{user.displayName}</span>
          <span className="person-row__detail">{detail ?? `@${user.username}`}</span>
        </span>
      </Link>
      {actions ? <span className="person-row__actions">{actions}</span> : null}
    </li>
  );
}

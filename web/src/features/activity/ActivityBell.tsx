import { Link } from 'react-router';
import { TabBadge } from '../../app/shell/nav.tsx';
import { IconBell } from '../../ui/icons.tsx';
import { useActivityLive, useUnreadActivity } from './activity-api.ts';
import './activity-chrome.css';

/** The bell at the top of Inbox (as TikTok has it), with the count of unread activity. */
export function ActivityBell() {
  useActivityLive();
  const count = useUnreadActivity();
  return (
    <Link to="/activity" className="activity-bell" aria-label={count > 0 ? `Activity, ${count} new` : 'Activity'} data-testid="activity-bell">
      <IconBell size={26} />
      <TabBadge count={count} label="new in Activity" />
    </Link>
  );
}

/** The Activity item's badge in the desktop side navigation. */
export function ActivityBadge() {
  useActivityLive();
  return <TabBadge count={useUnreadActivity()} label="new in Activity" />;
}

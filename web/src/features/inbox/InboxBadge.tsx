import { TabBadge } from '../../app/shell/nav.tsx';
import { useUnreadActivity } from '../activity/activity-api.ts';
import { useConversations, useInboxLive } from './inbox-api.ts';

function Count() {
  const inbox = useConversations('inbox');
  const requests = useConversations('requests');
  const activity = useUnreadActivity();
  const unread = [...(inbox.data?.items ?? []), ...(requests.data?.items ?? [])].filter((c) => c.unreadCount > 0).length;
  // Activity lives in Inbox (the bell at its top), so its news counts on the tab too.
  return <TabBadge count={unread + activity} label="unread chats and new activity" />;
}

/** The Inbox tab's badge: chats with unread messages and new activity. Also keeps the chat socket up while signed in. */
export function InboxBadge() {
  return useInboxLive() ? <Count /> : null;
}

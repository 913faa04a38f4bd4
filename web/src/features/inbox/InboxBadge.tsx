import { TabBadge } from '../../app/shell/nav.tsx';
import { useConversations, useInboxLive } from './inbox-api.ts';

function Count() {
  const inbox = useConversations('inbox');
  const requests = useConversations('requests');
  const unread = [...(inbox.data?.items ?? []), ...(requests.data?.items ?? [])].filter((c) => c.unreadCount > 0).length;
  return <TabBadge count={unread} label="unread chats" />;
}

/** The Inbox tab's badge: chats with unread messages. Also keeps the chat socket up while signed in. */
export function InboxBadge() {
  return useInboxLive() ? <Count /> : null;
}

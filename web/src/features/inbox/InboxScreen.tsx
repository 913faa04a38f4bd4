import type { Conversation } from '@loop/contracts';
import { useMyShops } from '../shop/shop-api.ts';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { QueryView } from '../../app/query-view.tsx';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconInbox, IconPlus } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { useMediaQuery, WIDE_LAYOUT } from '../../ui/use-media-query.ts';
import { UserText } from '../../ui/UserText.tsx';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { ActivityBell } from '../activity/ActivityBell.tsx';
import { useConversations } from './inbox-api.ts';
import './inbox.css';
import { useLiveOf } from '../live/live-api.ts';
import { LiveAvatar } from '../live/LiveNow.tsx';

/** A conversation's name for one viewer: the group title, or the other people. */
export function conversationName(c: Conversation, meId: string): string {
  const others = c.members.filter((m) => m.id !== meId);
  const people = others.map((m) => m.displayName).join(', ');
  // A shop chat: the shop's name (its title) and the person on the other side, for either side.
  if (c.kind === 'shop') return `${c.title ?? 'Shop'} · ${people}`;
  if (c.title) return c.title;
  return people || 'Just you';
}

/** The last message in one line: "You: " and Loop's own words as they are, the message's text isolated. */
function Preview({ c, meId }: { c: Conversation; meId: string }) {
  const m = c.lastMessage;
  if (!m) return <>No messages yet</>;
  const who = m.senderId === meId ? 'You: ' : '';
  if (m.deletedAt) return <>{who}Message unsent</>;
  if (m.text) {
    return (
      <>
        {who}
        <UserText>{m.text}</UserText>
      </>
    );
  }
  if (m.share) return <>{`${who}Shared a ${m.share.type}`}</>;
  return null;
}

function ConversationRow({ c, meId, active }: { c: Conversation; meId: string; active: boolean }) {
  const other = c.members.find((m) => m.id !== meId) ?? c.members[0];
  const name = conversationName(c, meId);
  // A direct chat with someone on air: their ringed avatar (a link to the live) beside the row's link.
  const liveId = useLiveOf(c.kind === 'direct' ? other?.id : null);
  return (
    <li className={liveId ? 'live-row' : undefined}>
      {liveId && other ? <LiveAvatar user={other} liveId={liveId} size={46} /> : null}
      <Link
        to={`/inbox/${c.id}`}
        className={`convo-row${c.unreadCount > 0 ? ' convo-row--unread' : ''}${active ? ' convo-row--active' : ''}`}
        aria-current={active ? 'page' : undefined}
        aria-label={`${name}${c.unreadCount ? `, ${c.unreadCount} unread` : ''}`}
      >
        {liveId ? null : <Avatar username={other?.username ?? name} name={name} src={c.kind === 'direct' ? (other?.avatarUrl ?? null) : null} size={52} />}
        <span className="convo-row__text">
          <span className="convo-row__name">
            <UserText>{name}</UserText>
          </span>
          <span className="convo-row__preview">
            <Preview c={c} meId={meId} />
          </span>
        </span>
        <span className="convo-row__meta">
          {c.lastMessageAt && <RelativeTime iso={c.lastMessageAt} />}
          {c.unreadCount > 0 && <span className="convo-row__badge">{c.unreadCount > 99 ? '99+' : c.unreadCount}</span>}
        </span>
      </Link>
    </li>
  );
}

/** Chats / Requests folders and the conversation list (the inbox screen, or the left pane on wide screens). */
function ConversationsPane({ activeId }: { activeId: string | null }) {
  const me = useMe();
  const [folder, setFolder] = useState<'inbox' | 'requests' | 'shop'>('inbox');
  const list = useConversations(folder);
  // Shop owners have a third folder: their shops' chats with buyers, apart from their friends.
  const ownsShop = (useMyShops().data?.length ?? 0) > 0;
  const requests = useConversations('requests');
  const requestCount = requests.data?.items.length ?? 0;
  return (
    <>
      <div className="folder-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={folder === 'inbox'} onClick={() => setFolder('inbox')}>
          Chats
        </button>
        <button type="button" role="tab" aria-selected={folder === 'requests'} onClick={() => setFolder('requests')}>
          Requests{requestCount > 0 ? ` (${requestCount})` : ''}
        </button>
        {ownsShop ? (
          <button type="button" role="tab" aria-selected={folder === 'shop'} onClick={() => setFolder('shop')}>
            Shop
          </button>
        ) : null}
      </div>
      <QueryView query={list} skeleton={<UserRowSkeletons />} errorTitle="Couldn’t load your chats">
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState icon={<IconInbox size={40} />} title={folder === 'inbox' ? 'No chats yet' : folder === 'shop' ? 'No messages from buyers yet' : 'No message requests'} action={folder === 'inbox' ? <ButtonLink to="/inbox/new">Start a chat</ButtonLink> : undefined}>
              {folder === 'inbox' ? 'Message a friend, or start a group.' : folder === 'shop' ? 'When a buyer writes to your shop, the chat is here.' : 'Messages from people who aren’t your friends wait here.'}
            </EmptyState>
          ) : (
            <ul className="convo-list">
              {data.items.map((c) => (
                <ConversationRow key={c.id} c={c} meId={me.user.id} active={c.id === activeId} />
              ))}
            </ul>
          )
        }
      </QueryView>
    </>
  );
}

const newChatButton = (
  <ButtonLink to="/inbox/new" variant="ghost" icon aria-label="New chat">
    <IconPlus size={24} />
  </ButtonLink>
);
const bell = <ActivityBell />;

/**
 * On wide screens chat is two panes (UI.md): the conversation list stays beside whatever is open.
 * On phones `children` is the whole screen.
 */
export function InboxSplit({ activeId, children }: { activeId: string | null; children: ReactNode }) {
  const wide = useMediaQuery(WIDE_LAYOUT);
  if (!wide) return <>{children}</>;
  return (
    <div className="inbox-split">
      <aside className="inbox-split__list" aria-label="Chats">
        <div className="inbox-split__head">
          <h2>Inbox</h2>
          <span className="inbox-split__actions">
            {bell}
            {newChatButton}
          </span>
        </div>
        <ConversationsPane activeId={activeId} />
      </aside>
      <section className="inbox-split__main">{children}</section>
    </div>
  );
}

/** The inbox: conversations with unread badges and last messages, and the Requests folder. */
export function InboxScreen() {
  const wide = useMediaQuery(WIDE_LAYOUT);
  if (wide) {
    return (
      <InboxSplit activeId={null}>
        <EmptyState icon={<IconInbox size={40} />} title="Your messages">
          Pick a chat on the left, or start a new one.
        </EmptyState>
      </InboxSplit>
    );
  }
  return (
    <>
      <TopBar title="Inbox" start={bell} end={newChatButton} />
      <Page>
        <ConversationsPane activeId={null} />
      </Page>
    </>
  );
}

import type { Notification } from '@loop/contracts';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState, OfflineState } from '../../ui/ErrorState.tsx';
import { IconBell } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { describeError } from '../../app/api.ts';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { FollowButton } from '../friends/FollowButton.tsx';
import { useActivityLive, useMarkActivityRead, useNotifications } from './activity-api.ts';
import './activity.css';
import { useLiveOf } from '../live/live-api.ts';
import { LiveAvatar } from '../live/LiveNow.tsx';

/**
 * The sentence with the first person's name in bold and a quoted comment set apart: people's
 * words each in their own isolated run (a direction override in a name cannot reorder the rest).
 */
function Sentence({ n }: { n: Notification }) {
  let rest = n.text;
  const name = n.actor?.displayName;
  const head = name && rest.startsWith(name) ? name : null;
  if (head) rest = rest.slice(head.length);
  const quote = n.excerpt && rest.endsWith(n.excerpt) ? n.excerpt : null;
  if (quote) rest = rest.slice(0, rest.length - quote.length);
  return (
    <>
      {head ? (
        <strong>
          <UserText>{head}</UserText>
        </strong>
      ) : null}
      {rest}
      {quote ? <UserText>{quote}</UserText> : null}
    </>
  );
}

function Faces({ n }: { n: Notification }) {
  const [first, second] = n.actors;
  if (!first) {
    return (
      <span className="activity-row__bell" aria-hidden="true">
        <IconBell size={24} />
      </span>
    );
  }
  if (!second) return <Avatar username={first.username} name={first.displayName} src={first.avatarUrl} size={48} />;
  // A group shows two faces, one over the other (Instagram's stack).
  return (
    <span className="activity-row__stack">
      <Avatar username={second.username} name={second.displayName} src={second.avatarUrl} size={34} />
      <Avatar username={first.username} name={first.displayName} src={first.avatarUrl} size={34} />
    </span>
  );
}

function ActivityRow({ n }: { n: Notification }) {
  const followBack = n.kind === 'follow' && n.actorCount === 1 && n.actor;
  // One person on air: their ringed avatar (a link to the live) beside the row's link.
  const liveId = useLiveOf(n.actorCount === 1 ? n.actor?.id : null);
  return (
    <li className={`activity-row${n.readAt ? '' : ' activity-row--unread'}`} data-testid={`activity-${n.kind}`}>
      {liveId && n.actor ? <LiveAvatar user={n.actor} liveId={liveId} size={42} /> : null}
      <Link to={n.url} className="activity-row__link">
        {liveId ? null : <Faces n={n} />}
        <span className="activity-row__text">
          <span className="activity-row__sentence">
            <Sentence n={n} />
          </span>
          <span className="activity-row__time">
            <RelativeTime iso={n.createdAt} />
          </span>
        </span>
      </Link>
      {n.thumbnailUrl ? (
        <Link to={n.url} className="activity-row__thumb" aria-label="Open the clip" tabIndex={-1}>
          <img src={n.thumbnailUrl} alt="" loading="lazy" />
        </Link>
      ) : followBack && n.actor ? (
        <span className="activity-row__action">
          <FollowButton userId={n.actor.id} name={n.actor.displayName} relationship={{ following: false, followedBy: true, friends: false, blocked: false, requested: false }} />
        </span>
      ) : null}
    </li>
  );
}

/** Activity (TikTok: Inbox → Activity): who followed, liked, commented, mentioned or sent you something, newest first. */
export function ActivityScreen() {
  useActivityLive();
  const list = useNotifications();
  const markRead = useMarkActivityRead();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  // Opening the screen is seeing it: everything up to the newest row shown is read (the rows keep
  // their tint until the next visit, so what is new stays visible now).
  const newestUnread = items.find((n) => !n.readAt)?.id;
  const marked = useRef<string | null>(null);
  useEffect(() => {
    if (!newestUnread || marked.current === newestUnread) return;
    marked.current = newestUnread;
    markRead.mutate(items[0]!.id);
  }, [newestUnread, items, markRead]);

  let body: React.ReactNode;
  if (list.data) {
    body =
      items.length === 0 ? (
        <EmptyState icon={<IconBell size={40} />} title="No activity yet" action={<ButtonLink to="/friends">Find friends</ButtonLink>}>
          When people follow you, like or comment on your clips, or mention you, you’ll see it here.
        </EmptyState>
      ) : (
        <>
          <ul className="activity-list" aria-label="Activity">
            {items.map((n) => (
              <ActivityRow key={n.id} n={n} />
            ))}
          </ul>
          {list.hasNextPage ? (
            <div className="activity-more">
              <Button variant="secondary" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                Show older
              </Button>
            </div>
          ) : null}
        </>
      );
  } else if (list.isError) {
    body = <ErrorState title="Couldn’t load your activity" message={describeError(list.error)} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  } else if (list.fetchStatus === 'paused') {
    body = <OfflineState />;
  } else {
    body = <UserRowSkeletons />;
  }

  return (
    <>
      <TopBar title="Activity" back backTo="/inbox" />
      <Page>{body}</Page>
    </>
  );
}

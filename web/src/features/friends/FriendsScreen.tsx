import { Link } from 'react-router';
import { describeError } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconClose, IconFriends, IconSearch } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { ContactSync } from './ContactSync.tsx';
import { FollowButton } from './FollowButton.tsx';
import { useAnswerRequest, useConnections, useDismissSuggestion, useFollowRequests, useSuggestions } from './friends-api.ts';
import { PersonRow } from './PersonRow.tsx';
import { StoryTray } from '../stories/StoryTray.tsx';
import './friends.css';

/** The Friends tab: requests, people you may know, contact sync and your friends. */
export function FriendsScreen() {
  return (
    <>
      <TopBar
        title="Friends"
        end={
          <Link to="/search" className="btn btn--ghost btn--icon" aria-label="Search people">
            <IconSearch size={24} />
          </Link>
        }
      />
      <Page>
        <StoryTray />
        <Link to="/search" className="friends-search">
          <IconSearch size={18} /> Search by name or @username
        </Link>
        <FollowRequests />
        <Suggestions />
        <ContactSync />
        <MyFriends />
      </Page>
    </>
  );
}

function FollowRequests() {
  const requests = useFollowRequests();
  const answer = useAnswerRequest();
  const toast = useToast();
  const items = requests.data?.pages.flatMap((p) => p.items) ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="requests-title" className="friends-section">
      <h2 id="requests-title" className="friends-section__title">
        Follow requests <span className="friends-section__count">{items.length}</span>
      </h2>
      <ul className="person-list">
        {items.map(({ user }) => (
          <PersonRow
            key={user.id}
            user={user}
            detail="Wants to follow you"
            actions={
              <>
                <Button
                  variant="primary"
                  aria-label={`Accept ${user.displayName}`}
                  onClick={() => answer.mutate({ userId: user.id, accept: true }, { onError: (e) => toast(describeError(e), 'error') })}
                >
                  Accept
                </Button>
                <Button
                  variant="secondary"
                  aria-label={`Decline ${user.displayName}`}
                  onClick={() => answer.mutate({ userId: user.id, accept: false }, { onError: (e) => toast(describeError(e), 'error') })}
                >
                  Decline
                </Button>
              </>
            }
          />
        ))}
      </ul>
    </section>
  );
}

function Suggestions() {
  const suggestions = useSuggestions();
  const dismiss = useDismissSuggestion();
  const items = suggestions.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="suggestions-title" className="friends-section">
      <h2 id="suggestions-title" className="friends-section__title">
        People you may know
      </h2>
      {suggestions.isPending ? (
        <UserRowSkeletons count={3} />
      ) : suggestions.isError ? (
        <ErrorState compact title="Couldn’t load suggestions" message={describeError(suggestions.error)} onRetry={() => void suggestions.refetch()} />
      ) : items.length === 0 ? (
        <p className="friends-section__empty">No suggestions yet. Follow a few friends or import your contacts, and people you may know will show up here.</p>
      ) : (
        <ul className="person-list">
          {items.slice(0, 15).map((s) => (
            <PersonRow
              key={s.user.id}
              user={s.user}
              detail={s.reasons.join(' · ') || `@${s.user.username}`}
              actions={
                <>
                  <FollowButton userId={s.user.id} name={s.user.displayName} />
                  <Button variant="ghost" icon aria-label={`Dismiss ${s.user.displayName}`} onClick={() => dismiss.mutate(s.user.id)}>
                    <IconClose size={18} />
                  </Button>
                </>
              }
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function MyFriends() {
  const me = useMe();
  const friends = useConnections(me.user.id, 'friends');
  const items = friends.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="friends-title" className="friends-section">
      <h2 id="friends-title" className="friends-section__title">
        Your friends
      </h2>
      {friends.isPending ? (
        <UserRowSkeletons count={4} />
      ) : friends.isError ? (
        <ErrorState compact title="Couldn’t load your friends" message={describeError(friends.error)} onRetry={() => void friends.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          compact
          icon={<IconFriends size={28} />}
          title="No friends yet"
          action={
            <ButtonLink to="/search" variant="secondary">
              Find people
            </ButtonLink>
          }
        >
          Friends are people you follow who follow you back.
        </EmptyState>
      ) : (
        <>
          <ul className="person-list" aria-label="Friends list">
            {items.map((u) => (
              <PersonRow key={u.id} user={u} />
            ))}
          </ul>
          {friends.hasNextPage ? (
            <Button variant="ghost" block loading={friends.isFetchingNextPage} onClick={() => void friends.fetchNextPage()}>
              Show more
            </Button>
          ) : null}
        </>
      )}
    </section>
  );
}

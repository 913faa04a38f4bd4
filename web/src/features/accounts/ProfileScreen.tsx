import type { Profile } from '@loop/contracts';
import { type ReactNode, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { useMe, useSession } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconBookmark, IconHeart, IconLock, IconProfile, IconSearch, IconSettings, IconVideo } from '../../ui/icons.tsx';
import { Page, TopBar, useDocumentTitle } from '../../ui/Page.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { NotFoundScreen } from '../coming-soon/NotFoundScreen.tsx';
import { ProfileGraphActions } from '../friends/ProfileGraphActions.tsx';
import { WishlistSection } from '../shop/WishlistSection.tsx';
import { MessageButton } from '../inbox/MessageButton.tsx';
import { type GridSource, VideoGrid } from '../video/VideoGrid.tsx';
import { useProfile } from './accounts-api.ts';
import { formatCount } from './format.ts';
import './profile.css';
import { AvatarOrLive } from '../live/LiveNow.tsx';

/** /profile: the signed-in person's own profile. */
export function OwnProfileScreen() {
  const me = useMe();
  return <ProfileScreen username={me.user.username} own />;
}

/** /u/:username: anyone's profile (one's own shows the edit actions). */
export function UserProfileScreen() {
  const { username = '' } = useParams();
  return <ProfileScreen username={username} />;
}

/** /@username, the short form of /u/:username. */
export function HandleRoute() {
  const { handle = '' } = useParams();
  if (!handle.startsWith('@') || handle.length < 2) return <NotFoundScreen />;
  return <ProfileScreen username={handle.slice(1)} />;
}

function ProfileScreen({ username, own }: { username: string; own?: boolean }) {
  const session = useSession();
  const query = useProfile(username);
  const isSelf = own || (session.me !== null && session.me.user.username === username.toLowerCase());
  const title = query.data ? `@${query.data.user.username}` : own ? 'Profile' : `@${username}`;
  useDocumentTitle(title);
  return (
    <>
      <TopBar
        title={<UserText>{title}</UserText>}
        back={!own}
        backTo="/"
        start={
          own ? (
            <Link to="/search" className="btn btn--ghost btn--icon phone-only" aria-label="Search people">
              <IconSearch size={24} />
            </Link>
          ) : null
        }
        end={
          isSelf ? (
            <Link to="/settings" className="btn btn--ghost btn--icon" aria-label="Settings">
              <IconSettings size={24} />
            </Link>
          ) : null
        }
      />
      <Page flush>
        <QueryView
          query={query}
          skeleton={<ProfileSkeleton />}
          errorTitle="Couldn’t load this profile"
          renderError={(err) =>
            err instanceof ApiError && err.status === 404 ? (
              <EmptyState
                icon={<IconProfile size={32} />}
                title="This account doesn’t exist"
                action={
                  <ButtonLink to="/search" variant="primary">
                    Search people
                  </ButtonLink>
                }
              >
                No one on Loop goes by <UserText>@{username}</UserText>. Check the spelling, or search by name.
              </EmptyState>
            ) : undefined
          }
        >
          {(profile) => (
            <>
              {session.status === 'signed-out' ? <JoinPrompt name={profile.user.displayName} /> : null}
              <ProfileView profile={profile} isSelf={isSelf} />
            </>
          )}
        </QueryView>
      </Page>
    </>
  );
}

function ProfileView({ profile, isSelf }: { profile: Profile; isSelf: boolean }) {
  const { user, counts, relationship } = profile;
  const toast = useToast();
  const signedIn = useSession().status === 'signed-in';

  async function share() {
    const url = `${window.location.origin}/@${user.username}`;
    try {
      if (navigator.share) await navigator.share({ title: `${user.displayName} on Loop`, url });
      else {
        await navigator.clipboard.writeText(url);
        toast('Profile link copied', 'success');
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') toast('Couldn’t share the link. Try again.', 'error');
    }
  }

  const stats: Array<[string, number]> = [
    ['Following', counts.following],
    ['Followers', counts.followers],
    ['Friends', counts.friends],
    ['Videos', counts.videos],
  ];

  return (
    <>
      <section className="profile" aria-label="Profile">
        <AvatarOrLive user={user} size={90}>
          <Avatar username={user.username} name={user.displayName} src={user.avatarUrl} size={96} />
        </AvatarOrLive>
        <div className="profile__names">
          <h2 className="profile__name user-text" data-testid="profile-display-name">
            {user.displayName}
          </h2>
          <p className="profile__username user-text">@{user.username}</p>
        </div>
        {!isSelf && (relationship.friends || relationship.followedBy || relationship.requested) ? (
          <div className="profile__pills">
            {relationship.friends ? <span className="pill pill--accent">Friends</span> : relationship.followedBy ? <span className="pill">Follows you</span> : null}
            {relationship.requested ? <span className="pill">Follow requested</span> : null}
          </div>
        ) : null}
        <ul className="profile__counts" aria-label="Counts">
          {stats.map(([label, n]) => (
            <li key={label} className="profile__count">
              <span className="profile__count-n">{formatCount(n)}</span>
              <span className="profile__count-label">{label}</span>
            </li>
          ))}
        </ul>
        {isSelf ? (
          <div className="profile__actions">
            <ButtonLink to="/profile/edit" variant="secondary">
              Edit profile
            </ButtonLink>
            <Button variant="secondary" onClick={share}>
              Share profile
            </Button>
          </div>
        ) : (
          <div className="profile__actions profile__actions--single">
            <ProfileGraphActions profile={profile}>{signedIn ? <MessageButton userId={user.id} name={user.displayName} /> : null}</ProfileGraphActions>
            <Button variant="secondary" onClick={share}>
              Share profile
            </Button>
          </div>
        )}
        {user.bio ? (
          <p className="profile__bio user-text">{user.bio}</p>
        ) : isSelf ? (
          <p className="profile__bio profile__bio--empty">
            No bio yet. <Link to="/profile/edit">Add one</Link>
          </p>
        ) : null}
      </section>
      {signedIn && (isSelf || relationship.friends) ? <WishlistSection userId={user.id} isSelf={isSelf} /> : null}
      {isSelf ? (
        <OwnClips userId={user.id} />
      ) : (
        <>
          <div className="profile__section-tabs">
            <span className="profile__section-tab">
              <IconVideo size={18} /> Videos
            </span>
          </div>
          {profile.privateAccount && !relationship.following ? (
            <EmptyState compact icon={<IconLock size={28} />} title="This account is private">
              {relationship.requested ? (
                'Your follow request is waiting for approval.'
              ) : (
                <>
                  Follow <UserText>@{user.username}</UserText> to see their videos.
                </>
              )}
            </EmptyState>
          ) : (
            <VideoGrid
              source={{ kind: 'user', userId: user.id }}
              label="Videos"
              empty={
                <EmptyState compact icon={<IconVideo size={28} />} title="No videos yet">
                  <UserText>@{user.username}</UserText> hasn’t posted any videos.
                </EmptyState>
              }
            />
          )}
        </>
      )}
    </>
  );
}

type OwnTab = 'videos' | 'liked' | 'saved';
const OWN_TABS: ReadonlyArray<{ tab: OwnTab; label: string; icon: ReactNode; source: (userId: string) => GridSource; empty: ReactNode }> = [
  {
    tab: 'videos',
    label: 'Videos',
    icon: <IconVideo size={18} />,
    source: (userId) => ({ kind: 'user', userId }),
    empty: (
      <EmptyState compact icon={<IconVideo size={28} />} title="Your videos will live here" action={<ButtonLink to="/create" variant="primary">Post a clip</ButtonLink>}>
        Post your first clip from the Create tab.
      </EmptyState>
    ),
  },
  {
    tab: 'liked',
    label: 'Liked',
    icon: <IconHeart size={18} />,
    source: () => ({ kind: 'liked' }),
    empty: (
      <EmptyState compact icon={<IconHeart size={28} />} title="No liked clips yet" action={<ButtonLink to="/" variant="secondary">Watch clips</ButtonLink>}>
        Clips you like show up here. Only you can see this list.
      </EmptyState>
    ),
  },
  {
    tab: 'saved',
    label: 'Saved',
    icon: <IconBookmark size={18} />,
    source: () => ({ kind: 'saved' }),
    empty: (
      <EmptyState compact icon={<IconBookmark size={28} />} title="Nothing saved yet" action={<ButtonLink to="/" variant="secondary">Watch clips</ButtonLink>}>
        Tap ☆ on a clip to keep it here for later. Only you can see what you save.
      </EmptyState>
    ),
  },
];

/** One's own profile: one's clips, and the clips one liked or saved (only one's own eyes see those two). */
function OwnClips({ userId }: { userId: string }) {
  const [tab, setTab] = useState<OwnTab>('videos');
  const current = OWN_TABS.find((t) => t.tab === tab)!;
  return (
    <>
      <div className="profile__section-tabs" role="tablist" aria-label="Your clips">
        {OWN_TABS.map((t) => (
          <button
            key={t.tab}
            type="button"
            role="tab"
            id={`profile-tab-${t.tab}`}
            aria-selected={t.tab === tab}
            aria-controls="profile-tab-panel"
            className="profile__section-tab"
            onClick={() => setTab(t.tab)}
          >
            {t.icon} {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="profile-tab-panel" aria-labelledby={`profile-tab-${tab}`}>
        <VideoGrid key={tab} source={current.source(userId)} label={current.label} empty={current.empty} />
      </div>
    </>
  );
}

/** Signed-out visitors (a shared profile link) are invited in, and come back here after. */
function JoinPrompt({ name }: { name: string }) {
  const location = useLocation();
  const next = `?next=${encodeURIComponent(location.pathname)}`;
  return (
    <aside className="join" aria-label="Join Loop">
      <img src="/icons/icon-192.png" alt="" width={40} height={40} />
      <p className="join__text">
        <strong>
          You’re looking at <UserText>{name}</UserText> on Loop.
        </strong>{' '}
        Sign up to keep up with the people you know.
      </p>
      <div className="join__actions">
        <ButtonLink to={`/signup${next}`} variant="primary">
          Sign up
        </ButtonLink>
        <ButtonLink to={`/login${next}`} variant="secondary">
          Log in
        </ButtonLink>
      </div>
    </aside>
  );
}

function ProfileSkeleton() {
  return (
    <div className="profile-skeleton" role="status" aria-busy="true" aria-label="Loading profile">
      <Skeleton circle width={96} height={96} />
      <Skeleton width={160} height={22} />
      <Skeleton width={100} height={15} />
      <Skeleton width="80%" height={44} radius={12} />
      <Skeleton width="80%" height={44} radius={12} />
      <Skeleton width="60%" height={15} />
    </div>
  );
}

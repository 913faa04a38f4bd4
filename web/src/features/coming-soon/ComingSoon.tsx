import type { ReactNode } from 'react';
import { ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconFriends, IconHome, IconInbox, IconPlus, IconSearch } from '../../ui/icons.tsx';
import { TopBar } from '../../ui/Page.tsx';
import './coming-soon.css';

/**
 * A tab whose feature is not built yet says so plainly and shows nothing fake (UI.md).
 * Each of these is replaced by the real screen in routes.tsx when its feature lands.
 */
function ComingSoon({ title, icon, headline, children, action }: { title: string; icon: ReactNode; headline: string; children: ReactNode; action?: ReactNode }) {
  return (
    <>
      <TopBar title={title} />
      <div className="soon">
        <EmptyState icon={icon} title={headline} action={action} eyebrow="Not built yet">
          {children}
        </EmptyState>
      </div>
    </>
  );
}

const findPeople = (
  <ButtonLink to="/search" variant="primary">
    <IconSearch size={18} /> Find people
  </ButtonLink>
);

export function HomeComingSoon() {
  return (
    <ComingSoon title="Home" icon={<IconHome size={32} />} headline="The video feed isn’t here yet" action={findPeople}>
      Loop’s feed of short videos is still being built. Until it arrives, you can find people you know.
    </ComingSoon>
  );
}

export function FriendsComingSoon() {
  return (
    <ComingSoon title="Friends" icon={<IconFriends size={32} />} headline="Friends aren’t here yet" action={findPeople}>
      Following people, friend requests and suggestions are still being built. Search already works.
    </ComingSoon>
  );
}

export function CreateComingSoon() {
  return (
    <ComingSoon
      title="Create"
      icon={<IconPlus size={32} />}
      headline="Posting videos isn’t here yet"
      action={
        <ButtonLink to="/profile/edit" variant="secondary">
          Finish your profile
        </ButtonLink>
      }
    >
      Recording and uploading clips is still being built. Meanwhile, your profile is ready to set up.
    </ComingSoon>
  );
}

export function InboxComingSoon() {
  return (
    <ComingSoon title="Inbox" icon={<IconInbox size={32} />} headline="Messages aren’t here yet" action={findPeople}>
      Chats and notifications are still being built. When they land, your conversations will be here.
    </ComingSoon>
  );
}

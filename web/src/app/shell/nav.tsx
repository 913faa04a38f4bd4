import type { ComponentType } from 'react';
import { ActivityBadge } from '../../features/activity/ActivityBell.tsx';
import { InboxBadge } from '../../features/inbox/InboxBadge.tsx';
import { IconBell, IconFriends, IconHome, IconInbox, IconPlus, IconProfile, IconSearch, IconSettings, IconSparkle } from '../../ui/icons.tsx';

export interface NavItem {
  to: string;
  label: string;
  Icon: ComponentType<{ size?: number; filled?: boolean }>;
  /** The raised "+" button in the middle of the tab bar. */
  primary?: boolean;
  /** Only in the desktop side navigation (phones reach it from a screen). */
  desktopOnly?: boolean;
  /**
   * Renders the unread badge of this tab (return <TabBadge count={n} label="…" /> or null).
   * Features plug theirs in here, e.g. the inbox's unread-chats count.
   */
  Badge?: ComponentType;
}

/** Navigation of the app, in order. Phones show the non-desktopOnly items as the bottom tab bar. */
export const navItems: NavItem[] = [
  { to: '/', label: 'Home', Icon: IconHome },
  { to: '/friends', label: 'Friends', Icon: IconFriends },
  { to: '/search', label: 'Search', Icon: IconSearch, desktopOnly: true },
  // Phones reach Discover from the search button on Home's feed tabs.
  { to: '/discover', label: 'Discover', Icon: IconSparkle, desktopOnly: true },
  { to: '/create', label: 'Create', Icon: IconPlus, primary: true },
  { to: '/inbox', label: 'Inbox', Icon: IconInbox, Badge: InboxBadge },
  // Phones reach Activity from the bell at the top of Inbox (as TikTok does); the Inbox tab's badge counts it too.
  { to: '/activity', label: 'Activity', Icon: IconBell, desktopOnly: true, Badge: ActivityBadge },
  { to: '/profile', label: 'Profile', Icon: IconProfile },
  { to: '/settings', label: 'Settings', Icon: IconSettings, desktopOnly: true },
];

/** The red count on a tab; hidden at 0. */
export function TabBadge({ count, label }: { count: number; label: string }) {
  if (count <= 0) return null;
  return (
    <span className="tab-badge">
      <span aria-hidden="true">{count > 99 ? '99+' : count}</span>
      <span className="visually-hidden">
        {count} {label}
      </span>
    </span>
  );
}

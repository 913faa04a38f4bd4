import { type ComponentType, isValidElement, lazy, type ReactNode } from 'react';
import { matchRoutes } from 'react-router';
import type { Access } from './guards.tsx';
import { hasStoredSession } from './session.ts';

/**
 * Each screen is its own chunk, fetched the first time its route is shown (screens of one file
 * share it), so the first page loads only the shell and the screen it opens. The shells wrap
 * their outlet in Suspense; react-router keeps the previous screen up while the next one loads.
 */
function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loading: Promise<{ default: ComponentType<P> }> | null = null;
  const preload = () => {
    loading ??= load().then((c) => ({ default: c }));
    return loading;
  };
  return Object.assign(lazy(preload), { preload });
}

const WelcomeScreen = lazyScreen(() => import('../features/accounts/WelcomeScreen.tsx').then((m) => m.WelcomeScreen));
const SignupScreen = lazyScreen(() => import('../features/accounts/SignupScreen.tsx').then((m) => m.SignupScreen));
const LoginScreen = lazyScreen(() => import('../features/accounts/LoginScreen.tsx').then((m) => m.LoginScreen));
const FeedScreen = lazyScreen(() => import('../features/video/FeedScreen.tsx').then((m) => m.FeedScreen));
const FriendsFeedScreen = lazyScreen(() => import('../features/video/FeedScreen.tsx').then((m) => m.FriendsFeedScreen));
const FriendsScreen = lazyScreen(() => import('../features/friends/FriendsScreen.tsx').then((m) => m.FriendsScreen));
const CreateScreen = lazyScreen(() => import('../features/video/CreateScreen.tsx').then((m) => m.CreateScreen));
const VideoScreen = lazyScreen(() => import('../features/video/VideoScreen.tsx').then((m) => m.VideoScreen));
const InboxScreen = lazyScreen(() => import('../features/inbox/InboxScreen.tsx').then((m) => m.InboxScreen));
const NewChatScreen = lazyScreen(() => import('../features/inbox/NewChatScreen.tsx').then((m) => m.NewChatScreen));
const ChatScreen = lazyScreen(() => import('../features/inbox/ChatScreen.tsx').then((m) => m.ChatScreen));
const OwnProfileScreen = lazyScreen(() => import('../features/accounts/ProfileScreen.tsx').then((m) => m.OwnProfileScreen));
const UserProfileScreen = lazyScreen(() => import('../features/accounts/ProfileScreen.tsx').then((m) => m.UserProfileScreen));
const HandleRoute = lazyScreen(() => import('../features/accounts/ProfileScreen.tsx').then((m) => m.HandleRoute));
const EditProfileScreen = lazyScreen(() => import('../features/accounts/EditProfileScreen.tsx').then((m) => m.EditProfileScreen));
const SettingsScreen = lazyScreen(() => import('../features/accounts/SettingsScreen.tsx').then((m) => m.SettingsScreen));
const BlockedAccountsScreen = lazyScreen(() => import('../features/friends/BlockedAccountsScreen.tsx').then((m) => m.BlockedAccountsScreen));
const ChangePasswordScreen = lazyScreen(() => import('../features/accounts/ChangePasswordScreen.tsx').then((m) => m.ChangePasswordScreen));
const ContactInfoScreen = lazyScreen(() => import('../features/accounts/ContactInfoScreen.tsx').then((m) => m.ContactInfoScreen));
const SearchScreen = lazyScreen(() => import('../features/accounts/SearchScreen.tsx').then((m) => m.SearchScreen));
const DiscoverScreen = lazyScreen(() => import('../features/discovery/DiscoverScreen.tsx').then((m) => m.DiscoverScreen));
const HashtagScreen = lazyScreen(() => import('../features/discovery/HashtagScreen.tsx').then((m) => m.HashtagScreen));
const ShareTargetScreen = lazyScreen(() => import('../features/sharing/ShareTargetScreen.tsx').then((m) => m.ShareTargetScreen));
const ActivityScreen = lazyScreen(() => import('../features/activity/ActivityScreen.tsx').then((m) => m.ActivityScreen));
const NotificationSettingsScreen = lazyScreen(() => import('../features/activity/NotificationSettingsScreen.tsx').then((m) => m.NotificationSettingsScreen));
const OrderScreen = lazyScreen(() => import('../features/shop/OrdersScreen.tsx').then((m) => m.OrderScreen));
const OrdersScreen = lazyScreen(() => import('../features/shop/OrdersScreen.tsx').then((m) => m.OrdersScreen));
const ShopOrdersScreen = lazyScreen(() => import('../features/shop/OrdersScreen.tsx').then((m) => m.ShopOrdersScreen));
const ProductScreen = lazyScreen(() => import('../features/shop/ProductScreen.tsx').then((m) => m.ProductScreen));
const MyShopScreen = lazyScreen(() => import('../features/shop/ShopScreen.tsx').then((m) => m.MyShopScreen));
const StoryViewerScreen = lazyScreen(() => import('../features/stories/StoryViewerScreen.tsx').then((m) => m.StoryViewerScreen));
const StoryComposerScreen = lazyScreen(() => import('../features/stories/StoryComposerScreen.tsx').then((m) => m.StoryComposerScreen));
const GoLiveScreen = lazyScreen(() => import('../features/live/GoLiveScreen.tsx').then((m) => m.GoLiveScreen));
const LiveScreen = lazyScreen(() => import('../features/live/LiveScreen.tsx').then((m) => m.LiveScreen));
const ShopScreen = lazyScreen(() => import('../features/shop/ShopScreen.tsx').then((m) => m.ShopScreen));

export interface AppRoute {
  path: string;
  element: ReactNode;
  /** Who may see it; others are redirected (to /welcome, or away from the sign-in screens). */
  access: Access;
  /** 'app': inside the tab bar / side navigation. 'bare': full screen (welcome, sign up, log in). */
  chrome: 'app' | 'bare';
  /** For signed-out screens: where a person lands once signed in (unless `?next=` says otherwise). */
  whenSignedIn?: string;
  /** The data the screen shows first, asked for at start-up beside `/me` when the app opens on it. */
  prefetch?: () => void;
}

/**
 * Every screen of the web app, in one place. A feature adds its screens with one line each.
 * Order does not matter: react-router ranks static segments above dynamic ones.
 */
export const routes: AppRoute[] = [
  { path: '/welcome', element: <WelcomeScreen />, access: 'signed-out', chrome: 'bare' },
  { path: '/signup', element: <SignupScreen />, access: 'signed-out', chrome: 'bare', whenSignedIn: '/profile' },
  { path: '/login', element: <LoginScreen />, access: 'signed-out', chrome: 'bare' },

  {
    path: '/',
    element: <FeedScreen />,
    access: 'signed-in',
    chrome: 'app',
    // For You answers signed-out visitors too, so this is never refused; signing in drops it.
    prefetch: () => void import('../features/video/video-api.ts').then((m) => m.prefetchFeed('for-you')),
  },
  // The Friends tab is people (friends, requests, suggestions); friends' clips are a tab of Home.
  { path: '/friends', element: <FriendsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/stories/new', element: <StoryComposerScreen />, access: 'signed-in', chrome: 'bare' },
  { path: '/stories/:userId', element: <StoryViewerScreen />, access: 'signed-in', chrome: 'bare' },
  { path: '/feed/friends', element: <FriendsFeedScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/create', element: <CreateScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/video/:id', element: <VideoScreen />, access: 'any', chrome: 'app' },
  { path: '/inbox', element: <InboxScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/inbox/new', element: <NewChatScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/inbox/:id', element: <ChatScreen />, access: 'signed-in', chrome: 'app' },

  { path: '/profile', element: <OwnProfileScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/profile/edit', element: <EditProfileScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings', element: <SettingsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/activity', element: <ActivityScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/notifications', element: <NotificationSettingsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/blocked', element: <BlockedAccountsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/password', element: <ChangePasswordScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/email', element: <ContactInfoScreen key="email" kind="email" />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/phone', element: <ContactInfoScreen key="phone" kind="phone" />, access: 'signed-in', chrome: 'app' },
  { path: '/search', element: <SearchScreen />, access: 'any', chrome: 'app' },
  // Discover (issue 13): search clips, people, hashtags and products; a page per hashtag.
  { path: '/discover', element: <DiscoverScreen />, access: 'any', chrome: 'app' },
  { path: '/tag/:tag', element: <HashtagScreen />, access: 'any', chrome: 'app' },
  // The installed PWA's Web Share Target (manifest share_target).
  { path: '/share', element: <ShareTargetScreen />, access: 'signed-in', chrome: 'app' },
  // Shop (docs/shop.md): /p/:id is also the link people share (the server adds Open Graph tags).
  { path: '/p/:id', element: <ProductScreen />, access: 'any', chrome: 'app' },
  { path: '/shop', element: <MyShopScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/shop/:ref', element: <ShopScreen />, access: 'any', chrome: 'app' },
  { path: '/shop/:ref/orders', element: <ShopOrdersScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/orders', element: <OrdersScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/orders/:id', element: <OrderScreen />, access: 'signed-in', chrome: 'app' },
  // Live (docs/live-web.md): full screen like the feed, so without the tab bar.
  { path: '/live/new', element: <GoLiveScreen />, access: 'signed-in', chrome: 'bare' },
  { path: '/live/:id', element: <LiveScreen />, access: 'any', chrome: 'bare' },
  { path: '/u/:username', element: <UserProfileScreen />, access: 'any', chrome: 'app' },
  // "/@alice": react-router has no partial dynamic segments, so the screen checks the "@" itself.
  { path: '/:handle', element: <HandleRoute />, access: 'any', chrome: 'app' },
];

/**
 * Starts loading the code (and the first data) of the screen at `pathname` now: at start-up it
 * comes down while the session is asked for (`/me`), instead of after it. A screen for signed-in
 * people also brings Welcome's code when this browser has no session on record (the likely
 * redirect).
 */
export function preloadScreen(pathname: string) {
  const matched = matchRoutes(
    routes.map((r, i) => ({ path: r.path, id: String(i) })),
    pathname,
  );
  for (const m of matched ?? []) {
    const route = routes[Number(m.route.id)];
    if (!route) continue;
    preloadElement(route.element);
    route.prefetch?.();
    if (route.access === 'signed-in' && !hasStoredSession()) void WelcomeScreen.preload();
  }
}

function preloadElement(element: ReactNode) {
  const type = isValidElement(element) ? (element.type as { preload?: () => unknown }) : null;
  void type?.preload?.();
}

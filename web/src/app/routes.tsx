import type { ReactNode } from 'react';
import { ChangePasswordScreen } from '../features/accounts/ChangePasswordScreen.tsx';
import { ContactInfoScreen } from '../features/accounts/ContactInfoScreen.tsx';
import { EditProfileScreen } from '../features/accounts/EditProfileScreen.tsx';
import { HandleRoute, OwnProfileScreen, UserProfileScreen } from '../features/accounts/ProfileScreen.tsx';
import { LoginScreen } from '../features/accounts/LoginScreen.tsx';
import { SearchScreen } from '../features/accounts/SearchScreen.tsx';
import { SettingsScreen } from '../features/accounts/SettingsScreen.tsx';
import { SignupScreen } from '../features/accounts/SignupScreen.tsx';
import { WelcomeScreen } from '../features/accounts/WelcomeScreen.tsx';
import { ShareTargetScreen } from '../features/sharing/ShareTargetScreen.tsx';
import { BlockedAccountsScreen } from '../features/friends/BlockedAccountsScreen.tsx';
import { FriendsScreen } from '../features/friends/FriendsScreen.tsx';
import { CreateScreen } from '../features/video/CreateScreen.tsx';
import { FeedScreen, FriendsFeedScreen } from '../features/video/FeedScreen.tsx';
import { VideoScreen } from '../features/video/VideoScreen.tsx';
import { ChatScreen } from '../features/inbox/ChatScreen.tsx';
import { InboxScreen } from '../features/inbox/InboxScreen.tsx';
import { NewChatScreen } from '../features/inbox/NewChatScreen.tsx';
import { OrderScreen, OrdersScreen, ShopOrdersScreen } from '../features/shop/OrdersScreen.tsx';
import { ProductScreen } from '../features/shop/ProductScreen.tsx';
import { MyShopScreen, ShopScreen } from '../features/shop/ShopScreen.tsx';
import type { Access } from './guards.tsx';

export interface AppRoute {
  path: string;
  element: ReactNode;
  /** Who may see it; others are redirected (to /welcome, or away from the sign-in screens). */
  access: Access;
  /** 'app': inside the tab bar / side navigation. 'bare': full screen (welcome, sign up, log in). */
  chrome: 'app' | 'bare';
  /** For signed-out screens: where a person lands once signed in (unless `?next=` says otherwise). */
  whenSignedIn?: string;
}

/**
 * Every screen of the web app, in one place. A feature adds its screens with one line each.
 * Order does not matter: react-router ranks static segments above dynamic ones.
 */
export const routes: AppRoute[] = [
  { path: '/welcome', element: <WelcomeScreen />, access: 'signed-out', chrome: 'bare' },
  { path: '/signup', element: <SignupScreen />, access: 'signed-out', chrome: 'bare', whenSignedIn: '/profile' },
  { path: '/login', element: <LoginScreen />, access: 'signed-out', chrome: 'bare' },

  { path: '/', element: <FeedScreen />, access: 'signed-in', chrome: 'app' },
  // The Friends tab is people (friends, requests, suggestions); friends' clips are a tab of Home.
  { path: '/friends', element: <FriendsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/feed/friends', element: <FriendsFeedScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/create', element: <CreateScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/video/:id', element: <VideoScreen />, access: 'any', chrome: 'app' },
  { path: '/inbox', element: <InboxScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/inbox/new', element: <NewChatScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/inbox/:id', element: <ChatScreen />, access: 'signed-in', chrome: 'app' },

  { path: '/profile', element: <OwnProfileScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/profile/edit', element: <EditProfileScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings', element: <SettingsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/blocked', element: <BlockedAccountsScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/password', element: <ChangePasswordScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/email', element: <ContactInfoScreen key="email" kind="email" />, access: 'signed-in', chrome: 'app' },
  { path: '/settings/phone', element: <ContactInfoScreen key="phone" kind="phone" />, access: 'signed-in', chrome: 'app' },
  { path: '/search', element: <SearchScreen />, access: 'any', chrome: 'app' },
  // The installed PWA's Web Share Target (manifest share_target).
  { path: '/share', element: <ShareTargetScreen />, access: 'signed-in', chrome: 'app' },
  // Shop (docs/shop.md): /p/:id is also the link people share (the server adds Open Graph tags).
  { path: '/p/:id', element: <ProductScreen />, access: 'any', chrome: 'app' },
  { path: '/shop', element: <MyShopScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/shop/:ref', element: <ShopScreen />, access: 'any', chrome: 'app' },
  { path: '/shop/:ref/orders', element: <ShopOrdersScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/orders', element: <OrdersScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/orders/:id', element: <OrderScreen />, access: 'signed-in', chrome: 'app' },
  { path: '/u/:username', element: <UserProfileScreen />, access: 'any', chrome: 'app' },
  // "/@alice": react-router has no partial dynamic segments, so the screen checks the "@" itself.
  { path: '/:handle', element: <HandleRoute />, access: 'any', chrome: 'app' },
];

import { Suspense } from 'react';
import { NavLink, Outlet, ScrollRestoration } from 'react-router';
import { Avatar } from '../../ui/Avatar.tsx';
import { ButtonLink } from '../../ui/Button.tsx';
import { OfflineBanner } from '../../ui/OfflineBanner.tsx';
import { PushPrompt } from '../../features/activity/push.tsx';
import { useLiveRingsSync } from '../../features/live/live-api.ts';
import { useOnline } from '../online.ts';
import { Splash } from '../guards.tsx';
import { useSession } from '../session.ts';
import { navItems } from './nav.tsx';
import './shell.css';

/**
 * The frame around every signed-in screen: a bottom tab bar on phones, a side navigation on
 * desktop with the content centred, the offline banner on top.
 */
export function AppShell() {
  const online = useOnline();
  const session = useSession();
  const signedOut = session.status === 'signed-out';
  const me = session.me?.user ?? null;
  // The LIVE rings on avatars everywhere come from one list; this keeps it current.
  useLiveRingsSync(session.status === 'signed-in');
  return (
    <div className="shell">
      <nav className="sidenav" aria-label="Main">
        <NavLink to="/" className="sidenav__brand" aria-label="Loop home">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span className="sidenav__wordmark">Loop</span>
        </NavLink>
        {navItems.map(({ to, label, Icon, primary, Badge }) => (
          <NavLink key={to} to={to} end={to === '/'} className={`sidenav__link${primary ? ' sidenav__link--primary' : ''}`} aria-label={label}>
            {({ isActive }) => (
              <>
                <span className="sidenav__icon">
                  {to === '/profile' && me ? <ProfileIcon me={me} active={isActive} /> : <Icon size={primary ? 20 : 26} filled={isActive && !primary} />}
                </span>
                <span className="sidenav__label" aria-hidden="true">
                  {label}
                </span>
                {Badge ? <Badge /> : null}
              </>
            )}
          </NavLink>
        ))}
        <div className="sidenav__spacer" />
        {signedOut ? (
          <div className="sidenav__account">
            <ButtonLink to="/signup" variant="primary" block>
              Sign up
            </ButtonLink>
            <ButtonLink to="/login" variant="secondary" block>
              Log in
            </ButtonLink>
          </div>
        ) : null}
      </nav>

      <main className="shell__main">
        <OfflineBanner online={online} />
        <Suspense fallback={<Splash />}>
          <Outlet />
        </Suspense>
      </main>
      <ScrollRestoration />
      <PushPrompt />

      <nav className="tabbar" aria-label="Tabs">
        {navItems
          .filter((item) => !item.desktopOnly)
          .map(({ to, label, Icon, primary, Badge }) => (
            // Named by the visible label (the avatar's initials are no part of it); "+" has none, so aria-label.
            <NavLink key={to} to={to} end={to === '/'} className={`tab${primary ? ' tab--primary' : ''}`} aria-label={primary ? label : undefined}>
              {({ isActive }) => (
                <>
                  <span className="tab__icon">
                    {to === '/profile' && me ? <ProfileIcon me={me} active={isActive} /> : <Icon size={primary ? 22 : 26} filled={isActive && !primary} />}
                    {Badge ? <Badge /> : null}
                  </span>
                  {primary ? null : <span>{label}</span>}
                </>
              )}
            </NavLink>
          ))}
      </nav>
    </div>
  );
}

/** The Profile tab shows the person's own avatar, ringed when the tab is active. */
function ProfileIcon({ me, active }: { me: { username: string; displayName: string; avatarUrl: string | null }; active: boolean }) {
  return (
    <span className={`tab-avatar${active ? ' tab-avatar--active' : ''}`}>
      <Avatar username={me.username} name={me.displayName} src={me.avatarUrl} size={26} decorative />
    </span>
  );
}

/** The frame of the signed-out screens (welcome, sign up, log in): no navigation, just the content. */
export function BareShell() {
  const online = useOnline();
  return (
    <main className="bare">
      <OfflineBanner online={online} />
      <Suspense fallback={<Splash />}>
        <Outlet />
      </Suspense>
      <ScrollRestoration />
      <PushPrompt />
    </main>
  );
}

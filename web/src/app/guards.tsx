import type { ReactNode } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { ErrorState, OfflineState } from '../ui/ErrorState.tsx';
import { describeError } from './api.ts';
import { didLogOutHere, type Session, useSession } from './session.ts';

export type Access = 'signed-in' | 'signed-out' | 'any';

/** Where a signed-in person goes after logging in when nothing asked for a page. */
export const AFTER_SIGN_IN = '/';

function Pending({ session }: { session: Session }) {
  if (session.status === 'unknown') {
    if (session.error === null) return <OfflineState />;
    return <ErrorState title="Can’t reach Loop" message={describeError(session.error)} onRetry={session.retry} />;
  }
  return <Splash />;
}

/** The first paint while /me answers or a screen's code loads: the app icon, as a native app's launch screen. */
export function Splash() {
  return (
    <div className="splash" role="status" aria-busy="true" aria-label="Loading">
      <img src="/icons/icon-192.png" alt="" width={72} height={72} />
    </div>
  );
}

/** Shows `children` only to the right audience; otherwise redirects (keeping where they wanted to go). */
export function Guard({ access, whenSignedIn = AFTER_SIGN_IN, children }: { access: Access; whenSignedIn?: string; children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const [params] = useSearchParams();
  if (access === 'any') return <>{children}</>;
  if (session.status === 'loading' || session.status === 'unknown') return <Pending session={session} />;
  if (access === 'signed-in' && session.status === 'signed-out') {
    const next = location.pathname + location.search;
    const plain = next === '/' || didLogOutHere();
    return <Navigate to={plain ? '/welcome' : `/welcome?next=${encodeURIComponent(next)}`} replace />;
  }
  if (access === 'signed-out' && session.status === 'signed-in') {
    return <Navigate to={safeNext(params.get('next')) ?? whenSignedIn} replace />;
  }
  return <>{children}</>;
}

/** Only same-app paths are followed after sign-in (never another site). */
export function safeNext(next: string | null): string | null {
  return next?.startsWith('/') && !next.startsWith('//') ? next : null;
}

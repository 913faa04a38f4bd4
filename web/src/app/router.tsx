import { createBrowserRouter, type RouteObject } from 'react-router';
import { NotFoundScreen } from '../features/coming-soon/NotFoundScreen.tsx';
import { Guard } from './guards.tsx';
import { routes } from './routes.tsx';
import { AppShell, BareShell } from './shell/AppShell.tsx';

function toRouteObjects(chrome: 'app' | 'bare'): RouteObject[] {
  return routes
    .filter((r) => r.chrome === chrome)
    .map((r) => ({ path: r.path, element: <Guard access={r.access} whenSignedIn={r.whenSignedIn}>{r.element}</Guard> }));
}

/** The router: routes.tsx grouped under their shell, plus the not-found screen. */
export const router = createBrowserRouter([
  { element: <BareShell />, children: toRouteObjects('bare') },
  { element: <AppShell />, children: [...toRouteObjects('app'), { path: '*', element: <NotFoundScreen /> }] },
]);

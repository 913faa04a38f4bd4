import { MutationCache, onlineManager, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api.ts';

/** Called when any request answers 401: the session ended (logged out elsewhere, expired). */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

/** The session ended outside a request (the WebSocket was closed with "signed out"). */
export function notifyUnauthorized() {
  onUnauthorized();
}

function handleError(err: unknown) {
  if (err instanceof ApiError && err.status === 401) onUnauthorized();
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: handleError }),
  mutationCache: new MutationCache({ onError: handleError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // 4xx answers will not change by asking again; network and 5xx failures get two more tries.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
    mutations: { retry: false },
  },
});

// TanStack assumes online until the browser says otherwise; an app opened offline (the service
// worker's shell) must know at once, so that requests wait and the offline banner shows.
if (typeof navigator !== 'undefined') onlineManager.setOnline(navigator.onLine);

import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect } from 'react';
import { RouterProvider } from 'react-router';
import { ToastProvider } from '../ui/Toast.tsx';
import { queryClient, setUnauthorizedHandler } from './query-client.ts';
import { router } from './router.tsx';
import { meKey } from './session.ts';

/** Providers around the router: server cache, toasts. */
export function App() {
  useEffect(() => {
    // A 401 anywhere means the session is gone (logged out on another device, expired).
    setUnauthorizedHandler(() => {
      if (queryClient.getQueryData(meKey)) queryClient.invalidateQueries({ queryKey: meKey });
    });
  }, []);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  );
}

import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { registerServiceWorker } from '../features/sharing/register-service-worker.ts';
import { preloadScreen } from './routes.tsx';

/** The app proper, started by main.tsx once the page's first screen has painted. */

// The current screen's code (and for Home its first data) starts loading at once.
preloadScreen(window.location.pathname);

// A transition: React renders the first screen in slices, yielding to the browser between them,
// instead of one long task that holds up input and paint (Lighthouse's total blocking time).
startTransition(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});

registerServiceWorker();

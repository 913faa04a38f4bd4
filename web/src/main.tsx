import './ui/tokens.css';
import './ui/base.css';

/**
 * The entry: small, so the page's first screen paints before the app's scripts are fetched and run.
 * A signed-in Home arrives with its first clip's poster in the HTML (server/src/app/first-screen.ts):
 * the app starts once that poster has painted (or after POSTER_WAIT_MS, so a slow poster never
 * holds the app up for long). Run beside it, the app's scripts (≈ 150 KB) would share the
 * connection with the poster, and their evaluation would hold up its paint.
 */
const POSTER_WAIT_MS = 1000;

function firstScreenPainted(): Promise<void> {
  const poster = document.querySelector<HTMLImageElement>('.first-poster img');
  if (!poster) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    // After the next frame: the poster is then on screen.
    const start = () => {
      if (done) return;
      done = true;
      requestAnimationFrame(() => setTimeout(resolve, 0));
    };
    if (poster.complete) start();
    poster.addEventListener('load', start, { once: true });
    poster.addEventListener('error', start, { once: true });
    setTimeout(start, POSTER_WAIT_MS);
  });
}

/**
 * The app's modules run in several tasks rather than one: each import() below runs its own module
 * graph as soon as that graph has been fetched, and a module runs once, so the small graphs (zod and
 * the contracts the client starts with, /me's, React, the router and its screens' shells) run in
 * tasks of their own before start.tsx's is complete. One task of them all (building zod's schemas,
 * React, the router) was the longest of Home's start at a phone's speed: Lighthouse's total blocking
 * time. They are all asked for at once, so the network is not serialised; only start.tsx's import
 * is waited for (an error shows there: it needs all the others).
 */
function startApp() {
  const ignore = () => undefined;
  void import('./app/api.ts').catch(ignore);
  void import('./app/session.ts').catch(ignore);
  void import('react-dom/client').catch(ignore);
  void import('./app/router.tsx').catch(ignore);
  return import('./app/start.tsx');
}

void firstScreenPainted().then(startApp);

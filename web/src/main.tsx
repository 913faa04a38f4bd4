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

void firstScreenPainted().then(() => import('./app/start.tsx'));

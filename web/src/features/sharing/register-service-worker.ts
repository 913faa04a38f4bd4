/**
 * Registers /sw.js so the app is installable (and, installed, a Web Share Target). A separate
 * file from a same-origin URL: the CSP (`script-src 'self'`, `worker-src 'self'`) allows it.
 */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // Once the page has loaded and the browser is idle: installing fetches the whole build, which
  // must not compete with the first screen. The app itself may start after `load` (main.tsx
  // waits for Home's poster), so `load` may be past already.
  const register = () =>
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Not installable then, but the app works the same.
    });
  const whenIdle = () => ('requestIdleCallback' in window ? requestIdleCallback(() => void register(), { timeout: 3000 }) : setTimeout(() => void register(), 1000));
  if (document.readyState === 'complete') whenIdle();
  else window.addEventListener('load', whenIdle, { once: true });
}

/**
 * Registers /sw.js so the app is installable (and, installed, a Web Share Target). A separate
 * file from a same-origin URL: the CSP (`script-src 'self'`, `worker-src 'self'`) allows it.
 */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Not installable then, but the app works the same.
    });
  });
}

// Loop's service worker: just enough to make the app installable and to open when offline.
// It never caches API answers or media (those are per person and live); it keeps the app shell
// so a cold start offline shows the app (with its offline banner) instead of the browser's error.
const SHELL = 'loop-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.add('/')).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  // Page navigations only (the share target arrives as one): network first, the shell offline.
  if (req.mode !== 'navigate' || req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/v/') || url.pathname.startsWith('/media/')) return;
  event.respondWith(fetch(req).catch(() => caches.match('/').then((r) => r || Response.error())));
});

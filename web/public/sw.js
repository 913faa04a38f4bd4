// Loop's service worker: makes the app installable and lets it open offline. It never caches API
// answers or media (those are per person and live); it keeps the app shell (index.html), this
// build's hashed scripts and styles (hls.js once a clip played) and its icons, so a reload offline
// shows the app on any screen (with its offline banner and what was queued there) instead of the
// browser's error page.
//
// `vite build` replaces the next line with this build's files and a version derived from them
// (web/build-output.ts); a new build is a new sw.js, which installs a new cache and drops the old.
const BUILD = { version: 'dev', files: [] };
const SHELL = `loop-shell-${BUILD.version}`;
const SHELL_PAGE = '/index.html';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      // The shell is fetched past the HTTP cache: it must match the files listed with it. By its
      // file name, not `/`: a signed-out visitor's `/` is the static welcome page, not the app.
      .then((cache) => cache.addAll([new Request(SHELL_PAGE, { cache: 'reload' }), ...BUILD.files]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('loop-shell-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // Hashed assets never change: the cached copy when there is one, else the network (and kept).
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(req, { cacheName: SHELL }).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              event.waitUntil(caches.open(SHELL).then((cache) => cache.put(req, copy)));
            }
            return res;
          }),
      ),
    );
    return;
  }
  // The public files of the build (icons, manifest): fresh from the network, the copy offline.
  if (BUILD.files.includes(url.pathname)) {
    event.respondWith(fetch(req).catch(() => caches.match(url.pathname, { cacheName: SHELL }).then((r) => r || Response.error())));
    return;
  }
  // Page navigations (the share target arrives as one): network first, the shell offline.
  if (req.mode !== 'navigate') return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/v/') || url.pathname.startsWith('/media/')) return;
  event.respondWith(fetch(req).catch(() => caches.match(SHELL_PAGE, { cacheName: SHELL }).then((r) => r || Response.error())));
});

// Web push (docs/notifications.md "Web push"): the server sends a notification only when this
// person has no Loop tab open and active. The payload is `{ title, body, url, tag, notificationId }`.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'Loop';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === 'string' ? data.body : '',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      // A group that grows replaces its earlier notification instead of stacking another.
      tag: typeof data.tag === 'string' ? data.tag : undefined,
      renotify: typeof data.tag === 'string',
      data: { url: typeof data.url === 'string' && data.url.startsWith('/') && !data.url.startsWith('//') ? data.url : '/activity' },
    }),
  );
});

// Tapping it opens the right screen: an open Loop tab is focused and navigated, or a new one opens.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || '/activity', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (new URL(w.url).origin === self.location.origin && 'focus' in w) {
          return w.focus().then((focused) => (focused && 'navigate' in focused ? focused.navigate(url) : undefined));
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});

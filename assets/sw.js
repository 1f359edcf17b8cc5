// sw.js — the installed web app's service worker: it keeps the client's shell (the page, its
// scripts, styles, the strings of every language, CLDR names and icons) so the app opens
// without a network and shows its "reconnecting" state instead of the browser's error page.
// Everything is fetched from the network first, so an online visit always gets the server's
// current files (and refreshes the copy); the copy answers only when the network does not.
// The API, the websocket and uploads are never cached: live data are the server's.

/**
 * The shell: every file of the web client. `node scripts/sw-shell.mjs` writes this list from
 * assets/; phone.test.mjs checks that no file is missing.
 */
const SHELL = [
  '/',
  '/api.js',
  '/app.js',
  '/chat-room.js',
  '/chat.js',
  '/countries.js',
  '/dom.js',
  '/gen/protocol.js',
  '/header.js',
  '/hub.js',
  '/i18n.js',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon.svg',
  '/index.html',
  '/locales/en.json',
  '/locales/ja.json',
  '/locales/ko.json',
  '/locales/mn.json',
  '/locales/ru.json',
  '/locales/zh.json',
  '/manifest.webmanifest',
  '/notices.js',
  '/phrases.js',
  '/presence.js',
  '/routes.js',
  '/style.css',
  '/styles/controls.css',
  '/styles/drawer.css',
  '/styles/header.css',
  '/styles/layout.css',
  '/styles/pages/auth.css',
  '/styles/pages/badge.css',
  '/styles/pages/booth.css',
  '/styles/pages/chat.css',
  '/styles/pages/console.css',
  '/styles/pages/leads.css',
  '/styles/pages/lobby.css',
  '/styles/pages/matchmaking.css',
  '/styles/pages/meetings.css',
  '/styles/pages/monitoring.css',
  '/styles/pages/people.css',
  '/styles/pages/room.css',
  '/styles/pages/scanner.css',
  '/styles/responsive.css',
  '/styles/toasts.css',
  '/vendor/chart.umd.min.js',
  '/vendor/cldr/en.names.json',
  '/vendor/cldr/en.zones.json',
  '/vendor/cldr/ja.names.json',
  '/vendor/cldr/ja.zones.json',
  '/vendor/cldr/ko.names.json',
  '/vendor/cldr/ko.zones.json',
  '/vendor/cldr/mn.names.json',
  '/vendor/cldr/mn.zones.json',
  '/vendor/cldr/ru.names.json',
  '/vendor/cldr/ru.zones.json',
  '/vendor/cldr/zh.names.json',
  '/vendor/cldr/zh.zones.json',
  '/vendor/hls.min.js',
  '/vendor/jsQR.js',
  '/views/accept.js',
  '/views/badge.js',
  '/views/booth-products.js',
  '/views/booth-talk.js',
  '/views/booth.js',
  '/views/buyers.js',
  '/views/charts.js',
  '/views/chat-message.js',
  '/views/chat-phrases.js',
  '/views/chat.js',
  '/views/common.js',
  '/views/console-media.js',
  '/views/console-parts.js',
  '/views/console-products.js',
  '/views/console.js',
  '/views/dashboard.js',
  '/views/desk-parts.js',
  '/views/forms.js',
  '/views/import.js',
  '/views/inbox.js',
  '/views/invitations.js',
  '/views/layout.js',
  '/views/leads.js',
  '/views/lobby-search.js',
  '/views/lobby.js',
  '/views/login.js',
  '/views/match-grid.js',
  '/views/match-parts.js',
  '/views/match-run.js',
  '/views/matchmaking.js',
  '/views/meeting-availability.js',
  '/views/meeting-book.js',
  '/views/meeting-busy.js',
  '/views/meeting-feed.js',
  '/views/meeting-parts.js',
  '/views/meeting-row.js',
  '/views/meetings.js',
  '/views/people.js',
  '/views/register.js',
  '/views/report-parts.js',
  '/views/reports.js',
  '/views/room-media.js',
  '/views/room-mesh.js',
  '/views/room.js',
  '/views/scanner-camera.js',
  '/views/scanner.js',
  '/views/stage-chat.js',
  '/views/stage-parts.js',
  '/views/stage-player.js',
  '/views/stage-qa.js',
  '/views/stage-quote.js',
  '/views/stage-replay.js',
  '/views/stage.js',
  '/views/stats.js',
  '/views/visitors.js',
  '/views/waiting.js',
];

/** FNV-1a (32 bits) of a text, in hex: enough to tell one shell list from another. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The cache is named after the list itself: when a release adds, renames or drops a file, the
 * new worker fills a new cache and `activate` deletes the old one (with the files it no longer
 * lists). A file's content is refreshed anyway, on every online visit (network first).
 */
const CACHE = `expo-shell-${fnv1a(SHELL.join('\n'))}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

/** Requests the shell may answer: same-origin GETs that are not the API or the hub. */
function shellRequest(request) {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  return !/^\/(api|ws|metrics|healthz|readyz)(\/|$)/.test(url.pathname);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!shellRequest(request)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') cache.put(request, response.clone());
      return response;
    } catch (error) {
      const kept = await cache.match(request, { ignoreSearch: true });
      if (kept) return kept;
      // A page address the shell has not seen: the single page answers every route.
      if (request.mode === 'navigate') return (await cache.match('/')) || (await cache.match('/index.html'));
      throw error;
    }
  })());
});

// A notification shown through the service worker (phones): a click opens the app there.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data?.url || '#/lobby';
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
    const open = windows[0];
    if (open) return open.focus().then(() => open.navigate(new URL(`/${url}`, self.location.origin).href));
    return self.clients.openWindow(`/${url}`);
  }));
});

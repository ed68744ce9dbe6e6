/**
 * The pages' service worker: the pages' own files (HTML, scripts, styles, icons) are kept in a
 * cache as they are fetched, so the wallet opens and shows licenses, and the counter desk checks
 * codes from its kept offline bundle, with no network. Network
 * first, the cache as the fallback; API answers are never cached (they carry personal data and
 * statuses that must be fresh), and only this origin's GET requests are touched.
 */
declare const self: ServiceWorkerGlobalScope;
/** The page scripts and their chunks, listed by the build (scripts/build-web.ts). */
declare const __PAGE_SCRIPTS__: string[];

const CACHE = 'elicense-pages-v3';
/** The wallet and the counter desk open offline (the counter verifies from its kept bundle; its verifier is among the scripts). */
const SHELL = ['/wallet', '/counter', '/static/app.css', '/manifest.webmanifest', '/icon.svg', '/static/vendor/zxing_reader.wasm', ...__PAGE_SCRIPTS__];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  event.respondWith(
    fetch(event.request).then(
      (response) => {
        if (response.ok) {
          const copy = response.clone();
          void caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      },
      async () => (await caches.match(event.request)) ?? Response.error(),
    ),
  );
});

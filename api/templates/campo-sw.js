// Service worker of the field page (served at /campo/sw.js, scope /campo). It keeps the page,
// its styles and libraries (the shell) and the map tiles already seen, so that the page opens
// with no signal. It never keeps answers with personal data: the visit plan and the queue of
// points and photos live in the page's IndexedDB, which logging out wipes.
"use strict";
const VERSION = "__VERSION__";
const SHELL = "campo-" + VERSION;
const TILES = "campo-teselas";
const MAX_TILES = 3000;
const FILES = __ARCHIVOS__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== SHELL && name !== TILES) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function shell(request) {
  // Network first, so a new release is seen at once; the kept copy when there is no signal.
  const cache = await caches.open(SHELL);
  try {
    const answer = await fetch(request);
    if (answer.ok) await cache.put(request, answer.clone());
    return answer;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

async function tile(request) {
  // Tiles change only with a new load of the boundaries: kept first, refreshed when online.
  const cache = await caches.open(TILES);
  const kept = await cache.match(request);
  const fresh = fetch(request).then(async (answer) => {
    if (answer.status === 200) {
      await cache.put(request, answer.clone());
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_TILES))) await cache.delete(old);
    }
    return answer;
  });
  if (kept) { fresh.catch(() => null); return kept; }
  try { return await fresh; } catch (error) { return new Response(null, { status: 204 }); }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/teselas/")) { event.respondWith(tile(event.request)); return; }
  if (FILES.includes(url.pathname)) event.respondWith(shell(event.request));
  // Everything else (the API: records, plan, photos) goes to the network, never to a cache.
});

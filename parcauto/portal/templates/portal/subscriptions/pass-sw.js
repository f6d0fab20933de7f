// The access card, offline: a parking lot often has no signal. Network first, so the card
// is always the latest when there is one; the last copy the holder opened otherwise.
// Only the card pages are kept; a logout clears them (Clear-Site-Data), and so does any
// answer other than the card itself (signed out, not one's own any more).
"use strict";
const CACHE = "parcauto-carte-acces-v1";
const CARD = /^\/abonnements\/\d+\/carte-acces\/$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || request.mode !== "navigate") return;
  if (url.origin !== self.location.origin || !CARD.test(url.pathname)) return;
  event.respondWith(
    fetch(request).then(async (response) => {
      const cache = await caches.open(CACHE);
      if (response.ok && !response.redirected) {
        await cache.put(url.pathname, response.clone());
      } else {
        await cache.delete(url.pathname);
      }
      return response;
    }, async () => {
      const kept = await caches.match(url.pathname, { cacheName: CACHE });
      return kept || Response.error();
    })
  );
});

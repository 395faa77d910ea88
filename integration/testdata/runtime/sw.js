// The site's own service worker: it requests what a page asks it to.
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("message", function (e) {
  if (e.data && e.data.fetch) e.waitUntil(fetch(e.data.fetch).catch(function () {}));
});

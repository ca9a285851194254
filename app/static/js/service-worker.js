/* Credential Tracker's service worker. Served at /service-worker.js (scope "/") by app/main/app_shell.py,
   which fills in the version and the shell's addresses.
   It keeps the shell only: styles, scripts, icons and the offline page. Pages carry personal records,
   so they always come from the network and are never stored; with no connection a page request gets
   the offline page. Log entries written offline wait in the page's own storage (app.js), not here. */
const VERSION = "__VERSION__";
const CACHE = `shell-${VERSION}`;
const SHELL = [__SHELL__];
const OFFLINE = "__OFFLINE__";

self.addEventListener("install", (event) => {
  // The offline page is fetched without cookies: the copy kept is the one anybody would get.
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(SHELL.map((url) =>
    fetch(url, {credentials: "omit", cache: "no-cache"}).then((response) => {
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return cache.put(url, response);
    })))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  // The shell's files: from the cache (this version's copy), else the network.
  if (request.method === "GET" && SHELL.includes(url.pathname) && url.pathname !== OFFLINE) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});

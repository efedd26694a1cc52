/* Therapy Check-in service worker. The version changes with every static file. */
"use strict";
/* Every static file's name -> its URL with the content hash (app/assets.py), filled in
   by the server: a changed file is a new URL and a new version of this worker. */
var ASSETS = __ASSETS__;
importScripts(ASSETS["js/outbox.js"]);

var VERSION = "__VERSION__";
var SHELL = "shell-" + VERSION;
var PAGES = "pages-" + VERSION;
var SHELL_URLS = Object.keys(ASSETS).map(function (name) { return ASSETS[name]; })
  .concat(["/manifest.webmanifest", "/offline"]);
/* Pages worth having offline. Only a signed-in account's pages are kept (they carry
   X-Account), and one account's pages never sit beside another's. */
var PAGE_PATHS = /^\/(|checkin|history|settings|talking-points|safety-plan|checkins\/[0-9a-f-]{36})$/;
var ACCOUNT_MARK = "/__account__";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(SHELL_URLS); })
      .then(function () { return refreshPage("/checkin"); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) {
        return key === SHELL || key === PAGES ? null : caches.delete(key);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* "/static/css/app.<any hash>.css" -> this version's URL for css/app.css, if there is one. */
function currentAsset(pathname) {
  var name = pathname.slice("/static/".length).replace(/\.[0-9a-f]{6,}(\.\w+)$/, "$1");
  return Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : null;
}

function refreshPage(path) {
  return fetch(path, { credentials: "same-origin", cache: "no-store" })
    .then(function (response) { return keepPage(new Request(path), response); })
    .catch(function () { /* offline or signed out: nothing to keep */ });
}

/* Pages are kept one after another, in the order they arrived: a slow earlier copy
   (its body still streaming) never lands on top of a newer one. */
var keeping = Promise.resolve();

function keepPage(request, response) {
  var account = response.headers.get("X-Account");
  if (!response.ok || response.redirected || response.type !== "basic" || !account) {
    return Promise.resolve();
  }
  var url = new URL(request.url, self.location.origin);
  var key = url.origin + url.pathname;
  keeping = keeping.then(function () { return store(key, account, response); })
    .catch(function () { /* storage full or gone: the page still works online */ });
  return keeping;
}

function store(key, account, response) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(ACCOUNT_MARK).then(function (mark) {
      return mark ? mark.text() : null;
    }).then(function (owner) {
      if (owner === account) return cache;
      return caches.delete(PAGES).then(function () { return caches.open(PAGES); })
        .then(function (fresh) {
          return fresh.put(ACCOUNT_MARK, new Response(account)).then(function () { return fresh; });
        });
    }).then(function (target) { return target.put(key, response); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0 || url.pathname === "/sw.js") return; /* never cached */

  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request, { ignoreSearch: true }).then(function (hit) {
        if (hit) return hit;
        /* A page kept from before an update names an older hash: this version's copy of
           the same file is what the server would answer too. */
        var current = currentAsset(url.pathname);
        return (current ? cache.match(current) : Promise.resolve(undefined)).then(function (kept) {
          return kept || fetch(request);
        });
      });
    }));
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (PAGE_PATHS.test(url.pathname)) {
        /* A page with a one-time notice (?saved=1) is kept as its plain self, fetched
           again, so "Saved" isn't shown later when the page comes from the cache. */
        event.waitUntil(url.search ? refreshPage(url.pathname) : keepPage(request, response.clone()));
      }
      return response;
    }).catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(url.origin + url.pathname);
      }).then(function (hit) {
        return hit || caches.match("/offline", { cacheName: SHELL });
      });
    }));
  }
});

/* Background Sync, where the browser has it; pages also send on load and on `online`. */
self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") event.waitUntil(self.Outbox.flush());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "signed-out") {
    /* After any page still being kept, so none of this account's lands after the clean-up. */
    keeping = keeping.then(function () { return caches.delete(PAGES); });
    event.waitUntil(keeping.then(function () { return self.Outbox.clear(); }));
  } else if (data.type === "cache-checkin") {
    event.waitUntil(refreshPage("/checkin"));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Therapy Check-in", {
    body: data.body || "Your weekly check-in is ready when you are.",
    icon: ASSETS["icons/icon-192.png"],
    badge: ASSETS["icons/icon-192.png"],
    tag: "weekly-checkin",
    data: { url: data.url || "/checkin" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || "/checkin";
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if ("focus" in windows[i]) { windows[i].navigate(target); return windows[i].focus(); }
    }
    return self.clients.openWindow(target);
  }));
});

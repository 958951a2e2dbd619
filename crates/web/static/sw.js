// phongtrao service worker (hand-written, no dependency): the reporter's pages work
// without a connection. Pages: network first (a slow link falls back to the copy
// after a few seconds), each page visited is kept; static files: the copy first.
// API calls are never cached: a report written offline waits in IndexedDB (app.js)
// and is sent, with its Idempotency-Key, when the connection returns.
"use strict";
var CACHE = "phongtrao-v1";
var STATIC = ["/static/vendor/pico-2.1.1/pico.blue.min.css", "/static/favicon.svg"];
// The reporter's pages kept for offline use (what a unit's account opens).
function keepable(url) {
  return url.origin === self.location.origin &&
    (url.pathname === "/home" || url.pathname === "/" || url.pathname === "/reports" || /^\/reports\/[^/]+\/[^/]+$/.test(url.pathname));
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page asks to keep some pages (this week's form, last week's report) or to
// forget everything (logging out).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.keep) {
    event.waitUntil(caches.open(CACHE).then(function (c) {
      // Only what the phone has not kept yet: a page visited is kept fresh by its visit.
      return Promise.all(data.keep.map(function (u) {
        var key = new URL(u, self.location.origin);
        key = key.origin + key.pathname;
        return c.match(key).then(function (hit) {
          if (hit) return;
          return fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok && !r.redirected) return c.put(key, r); });
        }).catch(function () {});
      }));
    }));
  }
  if (data.forget) event.waitUntil(caches.delete(CACHE));
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var t = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (v) { clearTimeout(t); resolve(v); }, function (e) { clearTimeout(t); reject(e); });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) {
        if (r.ok) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return r;
      });
    }));
    return;
  }
  if (req.mode !== "navigate" || !keepable(url)) return;
  // The copy is kept without the query (?saved=submit shows the same page).
  var key = url.origin + url.pathname;
  event.respondWith(withTimeout(fetch(req), 8000).then(function (r) {
    if (r.ok && !r.redirected) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(key, copy); }); }
    return r;
  }).catch(function () {
    return caches.match(key).then(function (hit) {
      return hit || new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>Mất kết nối</title>" +
        "<p>Mất kết nối và trang này chưa được lưu trên máy. Mở lại khi có mạng.</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  }));
});

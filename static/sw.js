// The service worker: saved courses open without a signal, every other page falls
// back to a friendly offline page. Hand-written on purpose: small, no build step.
"use strict";

// Bump VERSION when the caching below changes; activate deletes older caches.
var VERSION = "v2";
var STATIC = "lms-static-" + VERSION; // the offline page, CSS, JS and icons
// Courses the learner saved (static/js/save-course.js fills it). The server writes
// the name in here and into the page (lms/views/pwa.py: SAVED_CACHE). It is not
// versioned with this file, so an update never loses a saved course.
var SAVED = "__SAVED_CACHE__";
var OFFLINE = "/offline";
var TIMEOUT = 4000; // 3G can hang: after 4 s a saved copy beats waiting longer
var ANY = { ignoreVary: true }; // pages vary on Cookie, which caches cannot see

// The static URLs quoted in a page, exactly as the pages ask
// for them (with their ?v= fingerprint, when the server adds one).
function staticUrls(text) {
  var urls = [], pattern = /"(\/static\/[^"]+)"/g, match;
  while ((match = pattern.exec(text))) {
    var url = match[1].replace(/&amp;/g, "&");
    if (urls.indexOf(url) < 0) urls.push(url);
  }
  return urls;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    // Fetched signed out on purpose: this copy shows no one's name.
    // Only what the offline page itself needs: app icons are the browser's to
    // fetch when installing, not worth a farmer's data on every first visit.
    return cache.add(new Request(OFFLINE, { credentials: "omit" })).then(function () {
      return cache.match(OFFLINE);
    }).then(function (response) {
      return response.text();
    }).then(function (text) {
      return cache.addAll(staticUrls(text));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("lms-") === 0 && name !== STATIC && name !== SAVED;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method !== "GET") {
    // Saved pages show the learner's name and progress: a shared phone must not
    // keep them for the next person. POSTs themselves always go to the network.
    if (url.pathname === "/logout") event.waitUntil(caches.delete(SAVED));
    return;
  }
  if (url.pathname.indexOf("/api/") === 0) return; // live answers, never cached
  if (request.mode === "navigate") event.respondWith(page(event));
  else if (/^\/(static|media)\//.test(url.pathname)) {
    event.respondWith(file(event, url));
  }
});

// Pages: the network first, so progress shows fresh; the saved copy when the
// network fails or hangs; else the offline page.
function page(event) {
  var request = event.request, fresh;
  var network = fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") fresh = response.clone();
    return response;
  });
  // Keep a saved page up to date. Pages never saved are not stored.
  event.waitUntil(network.then(function () {
    return fresh && caches.open(SAVED).then(function (cache) {
      return cache.match(request.url, ANY).then(function (old) {
        if (old) return cache.put(request.url, fresh);
      });
    });
  }).catch(function () {}));
  return caches.match(request.url, ANY).then(function (saved) {
    if (!saved) {
      return network.catch(function () {
        return caches.match(OFFLINE).then(function (r) { return r || Response.error(); });
      });
    }
    return new Promise(function (resolve) {
      var timer = setTimeout(function () { resolve(saved); }, TIMEOUT);
      network.then(function (response) {
        clearTimeout(timer);
        resolve(response);
      }, function () {
        clearTimeout(timer);
        resolve(saved);
      });
    });
  });
}

// Static files and course pictures: the cache first. A static file is fetched once
// per fingerprint; without a signal, any cached version of the same file will do.
function file(event, url) {
  var request = event.request;
  return caches.match(request, ANY).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok && url.pathname.indexOf("/static/") === 0) {
        var copy = response.clone();
        event.waitUntil(caches.open(STATIC).then(function (cache) {
          return cache.delete(request, { ignoreSearch: true }).then(function () {
            return cache.put(request, copy);
          });
        }));
      }
      return response;
    }, function () {
      var loose = { ignoreSearch: true, ignoreVary: true };
      return caches.match(request, loose).then(function (r) { return r || Response.error(); });
    });
  });
}

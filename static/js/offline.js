// Offline reading and progress, the part every page needs: registers the service
// worker (/sw.js) and keeps the pages saved on the phone to one person. sync.js,
// offline-forms.js and save-course.js build on what it shares in window.lmsOffline.
// Every page works without these files.
"use strict";
(function () {
  if (!window.Promise || !window.fetch || !window.indexedDB) return;
  var KEY = "lms-offline"; // localStorage: {user, courses: {slug: [url, ...]}}
  var status = document.querySelector("[data-sync-status]");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var canSave = "serviceWorker" in navigator && !!window.caches;
  var off = window.lmsOffline = {
    // The cache /sw.js reads saved courses from; the server names it for both.
    SAVED: document.currentScript.getAttribute("data-saved-cache"),
    status: status, // the line that says what waits to be sent
    user: status ? status.getAttribute("data-user") : "",
    canSave: canSave,
    ready: canSave ? navigator.serviceWorker.register("/sw.js", { scope: "/" })
      : Promise.reject(new Error("no service worker")),
    // A message the page wrote in its own language, as data-msg-<name>.
    say: function (el, name, key, value) {
      return (el.getAttribute("data-msg-" + name) || "").replace("{" + key + "}", value);
    },
    token: function () { return meta ? meta.content : ""; },
    write: function (data) {
      try { localStorage.setItem(KEY, JSON.stringify(data)); } catch (e) { /* full */ }
    }
  };
  off.ready.catch(function () { /* pages still work, just not offline */ });

  // Saved pages are one person's pages: someone else signed in, so forget them.
  var saved;
  try { saved = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { saved = {}; }
  if (off.user && saved.user !== off.user) {
    if (saved.user && canSave) caches.delete(off.SAVED);
    saved = { user: off.user, courses: {} };
    off.write(saved);
  }
  saved.courses = saved.courses || {};
  off.saved = saved;
})();

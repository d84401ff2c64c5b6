// Progress made without a signal waits on the phone, in the "events" store of the
// "lms" IndexedDB database, and is sent to the server when there is a signal; the
// page says what waits and what came of it (offline.js comes first).
"use strict";
(function (off) {
  if (!off) return;
  var SYNC = "/api/v1/progress/sync";
  var status = off.status;

  // Run ``work`` on the store in a transaction; resolves with its request's result.
  off.events = function (mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("lms", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("events", { keyPath: "id" });
      };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result, tx = db.transaction("events", mode);
        var request = work(tx.objectStore("events"));
        tx.oncomplete = function () { db.close(); resolve(request && request.result); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  };

  // This person's waiting events, oldest first.
  off.queued = function () {
    return off.events("readonly", function (store) { return store.getAll(); })
      .then(function (all) {
        return all.filter(function (e) { return e.user === off.user; })
          .sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
      });
  };

  // The status line: how many wait to be sent, then any news. A piece of news
  // is text, or {text, href} for a quiz result to open.
  off.show = function (news) {
    if (!status) return Promise.resolve();
    return off.queued().then(function (list) {
      var lines = news || [];
      if (list.length) lines.unshift(off.say(status, "waiting", "count", list.length));
      status.textContent = "";
      lines.forEach(function (line, i) {
        if (i) status.appendChild(document.createTextNode(" "));
        if (typeof line === "string") {
          status.appendChild(document.createTextNode(line));
          return;
        }
        var link = document.createElement("a");
        link.href = line.href;
        link.textContent = line.text;
        status.appendChild(link);
      });
      status.hidden = !lines.length;
    }, function () { /* no database: nothing waits */ });
  };

  // The server was busy (503) or counting (429) and said when to come back: come
  // back then, a little later or sooner than other phones told the same.
  var retryTimer = null;
  function retryLater(response) {
    var seconds = parseInt(response.headers.get("Retry-After"), 10);
    if (!(seconds >= 0) || (response.status !== 503 && response.status !== 429)) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, Math.min(seconds, 3600) * 1000 * (1 + Math.random()));
  }

  // The events without the phone's own field, as the server takes them.
  function body(batch) {
    return JSON.stringify({ events: batch.map(function (e) {
      var copy = {};
      Object.keys(e).forEach(function (k) { if (k !== "user") copy[k] = e[k]; });
      return copy;
    }) });
  }

  // Send waiting events in one batch. Applied, duplicate and rejected events are
  // done with; after a network failure, a 5xx or a 401 they all wait for next time
  // (the next page, the "online" event, or the time a 503 or 429 asked to wait).
  // A page that shows progress, drawn before the lessons it waited for were
  // sent, is drawn again; what the sync said is said again on the new page.
  var NEWS = "lms-sync-news";
  var REFRESH_WAIT = 20000; // a weak signal may take this long for one page
  function redraw(news) {
    try { sessionStorage.setItem(NEWS, JSON.stringify(news)); } catch (e) { return false; }
    off.show(news);
    refreshSaved().then(function () { location.reload(); });
    return true;
  }
  // If this page is saved on the phone, its saved copy still shows the lessons
  // as not done: the worker hands it out when the network fails or hangs (/sw.js),
  // so a signal that comes and goes would draw the old page again. Replace the
  // copy with the server's first; a plain fetch goes past the worker.
  function refreshSaved() {
    if (!off.canSave) return Promise.resolve();
    var url = location.href.split("#")[0];
    var refreshed = caches.open(off.SAVED).then(function (cache) {
      return cache.match(url, { ignoreVary: true }).then(function (old) {
        if (!old) return;
        return fetch(url, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            // A redirect is the sign-in page, not this page.
            if (response.ok && !response.redirected) return cache.put(url, response);
          });
      });
    });
    var waited = new Promise(function (resolve) { setTimeout(resolve, REFRESH_WAIT); });
    return Promise.race([refreshed, waited]).catch(function () {});
  }
  function newsKept() {
    try {
      var kept = JSON.parse(sessionStorage.getItem(NEWS) || "null");
      sessionStorage.removeItem(NEWS);
      return kept;
    } catch (e) { return null; }
  }

  var syncing = null, kept = newsKept();
  function sync() {
    if (!off.user || !navigator.onLine) return off.show(kept);
    if (syncing) return syncing;
    var news = kept || [], more = false, lessons = 0;
    kept = null;
    syncing = off.queued().then(function (list) {
      var batch = list.slice(0, 100);
      var kinds = {};
      batch.forEach(function (e) { kinds[e.id] = e.type; });
      more = list.length > batch.length;
      if (!batch.length) return;
      return fetch(SYNC, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": off.token()
        },
        body: body(batch)
      }).then(function (response) {
        if (!response.ok) {
          retryLater(response);
          throw new Error(response.status);
        }
        return response.json();
      }).then(function (data) {
        var done = [], applied = 0;
        data.results.forEach(function (result) {
          if (!/^(applied|duplicate|rejected)$/.test(result.status)) return;
          done.push(result.id);
          if (result.status !== "rejected") applied += 1;
          if (result.status === "applied" && kinds[result.id] === "lesson.complete") {
            lessons += 1;
          }
          else if (result.error) news.push(result.error);
          if (result.status === "applied" && result.quiz && result.quiz.message) {
            news.push({ text: result.quiz.message, href: result.quiz.attempt });
          }
        });
        if (applied) news.unshift(off.say(status, "synced"));
        more = more && done.length > 0;
        return off.events("readwrite", function (store) {
          done.forEach(function (id) { store.delete(id); });
        });
      });
    }).catch(function () { more = false; }).then(function () {
      syncing = null;
      if (more) return sync();
      var stale = lessons && document.querySelector("[data-shows-progress]");
      // A quiz's result is a link to open here and now: that page stays.
      var links = news.some(function (line) { return typeof line !== "string"; });
      if (stale && !links && redraw(news)) return;
      return off.show(news);
    });
    return syncing;
  }

  off.sync = sync;
  // Once every script has run: the page's forms first see what waits (offline-forms.js).
  document.addEventListener("DOMContentLoaded", function () { sync(); });
  window.addEventListener("online", function () { sync(); });
})(window.lmsOffline);

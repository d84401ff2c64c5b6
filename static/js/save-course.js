// "Save for offline" on a course page: every page, picture and recording of the
// course into the cache /sw.js answers from without a signal (offline.js first).
"use strict";
(function (off) {
  var button = document.querySelector("[data-offline-save]");
  if (!off || !button || !off.canSave || !off.user) return;
  var saved = off.saved, say = off.say;
  var panel = button.closest("[data-offline-panel]");
  var bar = panel.querySelector("[data-offline-progress]");
  var note = panel.querySelector("[data-offline-status]");
  var slug = button.getAttribute("data-course"), label = button.textContent;
  var state = "idle", urls = [];

  // "2,1 MB" in Vietnamese, "2.1 MB" in English.
  function size(bytes) {
    var units = ["B", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i += 1; }
    var lang = document.documentElement.lang || "vi";
    var number = window.Intl ? new Intl.NumberFormat(lang, { maximumFractionDigits: 1 })
      .format(bytes) : String(Math.round(bytes * 10) / 10);
    return number + " " + units[i];
  }

  function idle(message) {
    state = "idle";
    button.textContent = label;
    bar.hidden = true;
    note.textContent = message || "";
  }

  function done() {
    state = "saved";
    button.textContent = say(button, "remove");
    bar.hidden = true;
    note.textContent = say(button, "saved");
  }

  // Progress is synced only for enrolled courses, so saving enrols first.
  function enroll() {
    var url = button.getAttribute("data-enroll");
    if (!url) return Promise.resolve();
    var body = new FormData();
    body.append("csrf_token", off.token());
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual"
    }).then(function (response) {
      if (!response.ok && response.type !== "opaqueredirect") throw new Error("enrol");
      button.removeAttribute("data-enroll");
    });
  }

  // First tap: find out how big the course is, and ask again with the size.
  function measure() {
    state = "busy";
    enroll().then(function () {
      return fetch(button.getAttribute("data-manifest"), {
        credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
      });
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (manifest) {
      urls = manifest.urls.slice();
      var home = button.getAttribute("data-home"); // the app's start page
      if (home && urls.indexOf(home) < 0) urls.push(home);
      state = "confirm";
      button.textContent = say(button, "size", "size", size(manifest.bytes));
    }).catch(function () { idle(say(button, "failed")); });
  }

  // One file into the cache.
  function keep(cache, url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      // A recording played before may come back from the HTTP cache in part
      // (206), which a cache cannot keep: ask the server for all of it.
      if (response.status === 206) {
        return fetch(url, { credentials: "same-origin", cache: "reload" });
      }
      return response;
    }).then(function (response) {
      // A redirect is the sign-in page, not the page asked for.
      if (!response.ok || response.redirected) throw new Error(url);
      return cache.put(url, response);
    });
  }

  // Second tap: fetch every page and picture into the cache, one at a time.
  function save() {
    var count = 0;
    state = "busy";
    bar.value = 0;
    bar.hidden = false;
    note.textContent = say(button, "saving", "percent", "0%");
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    off.ready.then(function () { return navigator.serviceWorker.ready; }).then(function () {
      return caches.open(off.SAVED);
    }).then(function (cache) {
      return urls.reduce(function (chain, url) {
        return chain.then(function () { return keep(cache, url); }).then(function () {
          count += 1;
          bar.value = Math.round(100 * count / urls.length);
          note.textContent = say(button, "saving", "percent", bar.value + "%");
        });
      }, Promise.resolve());
    }).then(function () {
      saved.courses[slug] = urls;
      off.write(saved);
      done();
    }).catch(function () { idle(say(button, "failed")); });
  }

  // Delete the course's files, except those another saved course still needs.
  function remove() {
    var mine = saved.courses[slug] || [], needed = {};
    delete saved.courses[slug];
    off.write(saved);
    Object.keys(saved.courses).forEach(function (other) {
      saved.courses[other].forEach(function (url) { needed[url] = true; });
    });
    state = "busy";
    caches.open(off.SAVED).then(function (cache) {
      return Promise.all(mine.filter(function (url) { return !needed[url]; })
        .map(function (url) { return cache.delete(url); }));
    }).catch(function () {}).then(function () { idle(); });
  }

  button.addEventListener("click", function () {
    if (state === "idle") measure();
    else if (state === "confirm") save();
    else if (state === "saved") remove();
  });

  // Show the panel, saying whether this course is already on the phone.
  var mine = saved.courses[slug];
  caches.open(off.SAVED).then(function (cache) {
    return mine && cache.match(mine[0]);
  }).then(function (hit) {
    if (hit) done();
    else if (mine) { delete saved.courses[slug]; off.write(saved); }
  }).catch(function () {}).then(function () {
    panel.hidden = false;
    button.hidden = false;
  });
})(window.lmsOffline);

// Offline reading and progress. Registers the service worker (/sw.js), saves a
// course on the phone when asked, and keeps progress made without a signal in
// IndexedDB until it can be sent. Every page works without this file.
"use strict";
(function () {
  if (!window.Promise || !window.fetch || !window.indexedDB) return;
  // The cache /sw.js reads saved courses from; the server names it for both.
  var SAVED = document.currentScript.getAttribute("data-saved-cache");
  var KEY = "lms-offline"; // localStorage: {user, courses: {slug: [url, ...]}}
  var SYNC = "/api/v1/progress/sync";
  var status = document.querySelector("[data-sync-status]");
  var user = status ? status.getAttribute("data-user") : "";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var canSave = "serviceWorker" in navigator && !!window.caches;
  var ready = canSave ? navigator.serviceWorker.register("/sw.js", { scope: "/" })
    : Promise.reject(new Error("no service worker"));
  ready.catch(function () { /* pages still work, just not offline */ });

  function say(el, name, key, value) {
    return (el.getAttribute("data-msg-" + name) || "").replace("{" + key + "}", value);
  }

  function token() { return meta ? meta.content : ""; }

  function read() {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }

  function write(data) {
    try { localStorage.setItem(KEY, JSON.stringify(data)); } catch (e) { /* full */ }
  }

  // Saved pages are one person's pages: someone else signed in, so forget them.
  var saved = read();
  if (user && saved.user !== user) {
    if (saved.user && canSave) caches.delete(SAVED);
    saved = { user: user, courses: {} };
    write(saved);
  }
  saved.courses = saved.courses || {};

  // "2,1 MB" in Vietnamese, "2.1 MB" in English.
  function size(bytes) {
    var units = ["B", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i += 1; }
    var lang = document.documentElement.lang || "vi";
    var number = window.Intl ? new Intl.NumberFormat(lang, { maximumFractionDigits: 1 })
      .format(bytes) : String(Math.round(bytes * 10) / 10);
    return number + " " + units[i];
  }

  // The "events" store of the "lms" database: progress waiting to be sent.
  function events(mode, work) {
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
  }

  // This person's waiting events, oldest first.
  function queued() {
    return events("readonly", function (store) { return store.getAll(); })
      .then(function (all) {
        return all.filter(function (e) { return e.user === user; }).sort(function (a, b) {
          return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
        });
      });
  }

  // The status line: how many wait to be sent, then any news. A piece of news
  // is text, or {text, href} for a quiz result to open.
  function show(news) {
    if (!status) return Promise.resolve();
    return queued().then(function (list) {
      var lines = news || [];
      if (list.length) lines.unshift(say(status, "waiting", "count", list.length));
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
  }

  // The server was busy (503) or counting (429) and said when to come back: come
  // back then, a little later or sooner than other phones told the same.
  var retryTimer = null;
  function retryLater(response) {
    var seconds = parseInt(response.headers.get("Retry-After"), 10);
    if (!(seconds >= 0) || (response.status !== 503 && response.status !== 429)) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, Math.min(seconds, 3600) * 1000 * (1 + Math.random()));
  }

  // Send waiting events in one batch. Applied, duplicate and rejected events are
  // done with; after a network failure, a 5xx or a 401 they all wait for next time
  // (the next page, the "online" event, or the time a 503 or 429 asked to wait).
  var syncing = null;
  function sync() {
    if (!user || !navigator.onLine) return show();
    if (syncing) return syncing;
    var news = [], more = false;
    syncing = queued().then(function (list) {
      var batch = list.slice(0, 100);
      more = list.length > batch.length;
      if (!batch.length) return;
      return fetch(SYNC, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": token()
        },
        body: JSON.stringify({ events: batch.map(function (e) {
          var copy = {};
          Object.keys(e).forEach(function (k) { if (k !== "user") copy[k] = e[k]; });
          return copy;
        }) })
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
          else if (result.error) news.push(result.error);
          if (result.status === "applied" && result.quiz && result.quiz.message) {
            news.push({ text: result.quiz.message, href: result.quiz.attempt });
          }
        });
        if (applied) news.unshift(say(status, "synced"));
        more = more && done.length > 0;
        return events("readwrite", function (store) {
          done.forEach(function (id) { store.delete(id); });
        });
      });
    }).catch(function () { more = false; }).then(function () {
      syncing = null;
      return more ? sync() : show(news);
    });
    return syncing;
  }

  // Progress made offline: the button gives way to a note that it waits here.
  function markQueued(form) {
    var button = form.querySelector("button");
    var note = document.createElement("p");
    note.className = "done-banner";
    note.setAttribute("role", "status");
    note.textContent = "✓ " + say(status, "queued");
    if (button) form.replaceChild(note, button);
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = "";
    b[6] = (b[6] & 15) | 64; // version 4
    b[8] = (b[8] & 63) | 128; // RFC 4122 variant
    for (var i = 0; i < 16; i += 1) {
      h += (b[i] + 256).toString(16).slice(1) + ([3, 5, 7, 9].indexOf(i) < 0 ? "" : "-");
    }
    return h;
  }

  function build(form) {
    var event = {
      id: uuid(),
      type: form.getAttribute("data-offline-event"),
      course: form.getAttribute("data-course"),
      at: new Date().toISOString()
    };
    if (form.hasAttribute("data-lesson")) event.lesson = form.getAttribute("data-lesson");
    if (event.type === "quiz.submit") {
      var paper = form.querySelector('input[name="quiz_paper"]');
      event.paper = paper ? paper.value : "";
      event.answers = {};
      form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (c) {
        var chosen = event.answers[c.name] = event.answers[c.name] || [];
        if (c.checked) chosen.push(c.value);
      });
    }
    return event;
  }

  // A quiz is kept on the phone only when every question has an answer: the
  // server would refuse a half-answered one, long after the farmer moved on.
  function complete(form) {
    var questions = form.querySelectorAll("fieldset[data-question]"), blank = -1;
    questions.forEach(function (fieldset, i) {
      var answered = !!fieldset.querySelector("input:checked");
      fieldset.classList.toggle("has-error", !answered);
      if (!answered && blank < 0) blank = i;
    });
    var alert = form.querySelector("[data-quiz-alert]");
    if (blank < 0) {
      if (alert) alert.remove();
      return true;
    }
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "error";
      alert.setAttribute("role", "alert");
      alert.setAttribute("data-quiz-alert", "");
      form.insertBefore(alert, form.firstChild);
    }
    alert.textContent = say(form, "unanswered", "number", blank + 1);
    var first = questions[blank].querySelector("input");
    if (first) first.focus();
    return false;
  }

  var forms = document.querySelectorAll("form[data-offline-event]");
  forms.forEach(function (form) {
    var busy = false;
    form.addEventListener("submit", function (submit) {
      // With a connection the form posts as usual: the server's page follows.
      if (!user || navigator.onLine) return;
      submit.preventDefault();
      if (busy || !complete(form)) return;
      busy = true;
      var event = build(form);
      event.user = user;
      events("readwrite", function (store) { store.put(event); }).then(function () {
        markQueued(form);
        return show();
      }).catch(function () { form.submit(); }); // no database: try to post it
    });
  });

  // A saved page opened offline does not know about progress made since.
  queued().then(function (list) {
    forms.forEach(function (form) {
      var lesson = form.getAttribute("data-lesson");
      if (lesson && list.some(function (e) {
        return e.lesson === lesson && e.course === form.getAttribute("data-course");
      })) markQueued(form);
    });
  }).catch(function () {});
  sync();
  window.addEventListener("online", sync);

  // "Save for offline" on a course page.
  var button = document.querySelector("[data-offline-save]");
  if (!button || !canSave || !user) return;
  var panel = button.closest("[data-offline-panel]");
  var bar = panel.querySelector("[data-offline-progress]");
  var note = panel.querySelector("[data-offline-status]");
  var slug = button.getAttribute("data-course"), label = button.textContent;
  var state = "idle", urls = [];

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
    body.append("csrf_token", token());
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

  // Second tap: fetch every page and picture into the cache, one at a time.
  function save() {
    var count = 0;
    state = "busy";
    bar.value = 0;
    bar.hidden = false;
    note.textContent = say(button, "saving", "percent", "0%");
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    ready.then(function () { return navigator.serviceWorker.ready; }).then(function () {
      return caches.open(SAVED);
    }).then(function (cache) {
      return urls.reduce(function (chain, url) {
        return chain.then(function () {
          return fetch(url, { credentials: "same-origin" });
        }).then(function (response) {
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
        }).then(function () {
          count += 1;
          bar.value = Math.round(100 * count / urls.length);
          note.textContent = say(button, "saving", "percent", bar.value + "%");
        });
      }, Promise.resolve());
    }).then(function () {
      saved.courses[slug] = urls;
      write(saved);
      done();
    }).catch(function () { idle(say(button, "failed")); });
  }

  // Delete the course's files, except those another saved course still needs.
  function remove() {
    var mine = saved.courses[slug] || [], needed = {};
    delete saved.courses[slug];
    write(saved);
    Object.keys(saved.courses).forEach(function (other) {
      saved.courses[other].forEach(function (url) { needed[url] = true; });
    });
    state = "busy";
    caches.open(SAVED).then(function (cache) {
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
  caches.open(SAVED).then(function (cache) {
    return mine && cache.match(mine[0]);
  }).then(function (hit) {
    if (hit) done();
    else if (mine) { delete saved.courses[slug]; write(saved); }
  }).catch(function () {}).then(function () {
    panel.hidden = false;
    button.hidden = false;
  });
})();

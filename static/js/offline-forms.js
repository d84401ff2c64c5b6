// "Mark as complete" and the quiz without a signal: the form's answer is kept on
// the phone and sent later (sync.js). Lesson and quiz pages load it.
"use strict";
(function (off) {
  if (!off) return;

  // Progress made offline: the button gives way to a note that it waits here.
  function markQueued(form) {
    var button = form.querySelector("button");
    var note = document.createElement("p");
    note.className = "done-banner";
    note.setAttribute("role", "status");
    note.textContent = "✓ " + off.say(off.status, "queued");
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
    alert.textContent = off.say(form, "unanswered", "number", blank + 1);
    var first = questions[blank].querySelector("input");
    if (first) first.focus();
    return false;
  }

  var forms = document.querySelectorAll("form[data-offline-event]");
  forms.forEach(function (form) {
    var busy = false;
    form.addEventListener("submit", function (submit) {
      // With a connection the form posts as usual: the server's page follows.
      if (!off.user || navigator.onLine) return;
      submit.preventDefault();
      if (busy || !complete(form)) return;
      busy = true;
      var event = build(form);
      event.user = off.user;
      off.events("readwrite", function (store) { store.put(event); }).then(function () {
        markQueued(form);
        return off.show();
      }).catch(function () { form.submit(); }); // no database: try to post it
    });
  });

  // A saved page opened offline does not know about progress made since.
  off.queued().then(function (list) {
    forms.forEach(function (form) {
      var lesson = form.getAttribute("data-lesson");
      if (lesson && list.some(function (e) {
        return e.lesson === lesson && e.course === form.getAttribute("data-course");
      })) markQueued(form);
    });
  }).catch(function () {});
})(window.lmsOffline);

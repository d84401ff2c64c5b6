// Lesson editor: live preview through the server's own sanitising renderer, and
// pictures uploaded and inserted at the cursor. The form works without this file.
"use strict";
(function () {
  var form = document.getElementById("lesson-form");
  if (!form || !window.fetch) return;
  var token = form.querySelector("[name=csrf_token]").value;
  var endpoint = form.dataset.preview || "/teach/preview";
  var lastFocused = form.querySelector("textarea");

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (r) { return r.json(); });
  }

  form.querySelectorAll("textarea[data-preview]").forEach(function (area) {
    var target = document.getElementById(area.dataset.preview);
    var timer = null;
    area.addEventListener("focus", function () { lastFocused = area; });
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new FormData();
        body.append("text", area.value);
        post(endpoint, body).then(function (data) { target.innerHTML = data.html; })
          .catch(function () { /* the preview waits for the next keystroke */ });
      }, 400);
    });
  });

  var upload = document.querySelector("[data-image-upload]");
  if (!upload) return;
  var status = upload.querySelector("[data-image-status]");
  upload.addEventListener("submit", function (event) {
    event.preventDefault();
    post(upload.action, new FormData(upload)).then(function (data) {
      if (data.error) { status.textContent = data.error; return; }
      var area = lastFocused;
      var at = area.selectionStart || area.value.length;
      var line = "\n" + data.markdown + "\n";
      area.value = area.value.slice(0, at) + line + area.value.slice(at);
      area.dispatchEvent(new Event("input"));
      status.textContent = upload.dataset.msgInserted;
      upload.reset();
    }).catch(function () { status.textContent = upload.dataset.msgFailed; });
  });
})();

// Record the lesson read aloud from the microphone (MediaRecorder), listen back,
// then save it through the same form an uploaded file uses. Without this file, or
// without a microphone, the upload form still works.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices) return;
  document.querySelectorAll("form[data-voice-recorder]").forEach(function (form) {
    var say = function (name) { return form.getAttribute("data-msg-" + name); };
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("aria-live", "polite");
    var record = button(say("record"), "button big");
    var save = button(say("save"), "button");
    var preview = document.createElement("audio");
    preview.controls = true;
    preview.hidden = save.hidden = true;
    form.insertBefore(status, form.firstChild);
    form.insertBefore(save, form.firstChild);
    form.insertBefore(preview, form.firstChild);
    form.insertBefore(record, form.firstChild);
    var recorder = null, chunks = [], blob = null;

    record.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { recorder.stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (e) { chunks.push(e.data); });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
          preview.src = URL.createObjectURL(blob);
          preview.hidden = save.hidden = false;
          record.textContent = say("again");
          status.textContent = say("listen");
        });
        recorder.start();
        record.textContent = say("stop");
        status.textContent = say("recording");
      }, function () { status.textContent = say("no-microphone"); });
    });

    save.addEventListener("click", function () {
      if (!blob) return;
      var data = new FormData();
      data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      var type = blob.type.indexOf("mp4") >= 0 ? "m4a" : "webm";
      data.append("audio", blob, "recording." + type);
      save.disabled = true;
      status.textContent = say("saving");
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || say("failed"));
          window.location.reload();
        });
      }).catch(function (error) {
        save.disabled = false;
        // A lost connection saves nothing: the recording is still here to retry.
        status.textContent = error instanceof TypeError ? say("failed") : error.message;
      });
    });
  });

  function button(text, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    return b;
  }
}());

// Shrink photos before upload and show progress. Forms work without this file, and
// the server checks and re-encodes every photo anyway.
"use strict";
(function () {
  var canvas = document.createElement("canvas");
  if (!canvas.toBlob || !window.Promise || !window.FormData ||
      !FormData.prototype.delete || !("upload" in new XMLHttpRequest())) return;

  function viaImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(); };
      img.src = url;
    });
  }

  function decode(file) {
    var bitmap = window.createImageBitmap ? createImageBitmap(file) : Promise.reject();
    return bitmap.catch(function () { return viaImg(file); });
  }

  // Resolve with a JPEG at most maxWidth wide, or null to send the file unchanged.
  function shrink(file, maxWidth) {
    return decode(file).then(function (image) {
      var w = image.naturalWidth || image.width, h = image.naturalHeight || image.height;
      var scale = Math.min(1, maxWidth / w), context = canvas.getContext("2d");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      context.fillStyle = "#fff"; // transparent parts would turn black in a JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve) {
        canvas.toBlob(resolve, "image/jpeg", 0.8);
      });
    }).then(function (blob) {
      var usable = /^image\/(jpeg|png|webp|gif)$/.test(file.type);
      return blob && (blob.size < file.size || !usable) ? blob : null;
    }, function () { return null; });
  }

  function enhance(form) {
    var progress = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    var inputs = form.querySelectorAll('input[type="file"][name]');
    var busy = false, button;

    function say(name, suffix) {
      var text = form.getAttribute("data-msg-" + name) || "";
      if (status) status.textContent = text + (suffix || "");
    }

    function fail() {
      busy = false;
      if (button) button.disabled = false;
      if (progress) progress.hidden = true;
      say("failed");
    }

    // Show the server's page as if the form had been posted normally.
    function show(xhr) {
      try {
        if (xhr.responseURL) history.replaceState(null, "", xhr.responseURL);
      } catch (error) {
        window.location.assign(xhr.responseURL); // another origin
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    }

    function send(data) {
      var xhr = new XMLHttpRequest(), step = -1;
      // Not form.action: a field named "action" hides it.
      xhr.open("POST", form.getAttribute("action") || location.href);
      xhr.upload.onprogress = function (event) {
        if (!event.lengthComputable) return;
        var percent = Math.floor(100 * event.loaded / event.total);
        if (progress) { progress.max = 100; progress.value = percent; }
        if (Math.floor(percent / 10) !== step) { // a calm pace for screen readers
          step = Math.floor(percent / 10);
          say("uploading", " " + percent + "%");
        }
      };
      xhr.onload = function () {
        if (/html/.test(xhr.getResponseHeader("Content-Type") || "")) show(xhr);
        else fail();
      };
      xhr.onerror = xhr.onabort = fail;
      xhr.send(data);
    }

    form.addEventListener("submit", function (event) {
      var chosen = Array.prototype.some.call(inputs, function (input) {
        return input.files && input.files.length;
      });
      if (busy) event.preventDefault();
      if (busy || !chosen) return; // nothing to shrink: a normal post
      event.preventDefault();
      busy = true;
      button = event.submitter || form.querySelector('[type="submit"]');
      var data = new FormData(form), done = Promise.resolve(), count = 0;
      if (button && button.name) data.append(button.name, button.value);
      if (button) button.disabled = true;
      if (progress) { progress.removeAttribute("value"); progress.hidden = false; }
      say("compressing");
      Array.prototype.forEach.call(inputs, function (input) {
        var maxWidth = parseInt(input.getAttribute("data-max-width"), 10) || 1280;
        data.delete(input.name);
        Array.prototype.forEach.call(input.files, function (file) {
          done = done.then(function () { return shrink(file, maxWidth); })
            .then(function (blob) {
              count += 1;
              if (blob) data.append(input.name, blob, "photo-" + count + ".jpg");
              else data.append(input.name, file, file.name);
            });
        });
      });
      done.then(function () { send(data); }, fail);
    });
  }

  document.querySelectorAll("form[data-photo-upload]").forEach(enhance);
})();

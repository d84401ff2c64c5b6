// The lesson's voice: a big play button, speeds 0.75x/1x/1.25x, and the place where
// the farmer stopped, kept on this phone. Without this file the plain player works.
(function () {
  "use strict";
  var box = document.querySelector("[data-voice-player]");
  if (!box) return;
  var audio = box.querySelector("audio"), key = box.getAttribute("data-key");
  var play = document.createElement("button");
  play.type = "button";
  play.className = "button big voice-play";
  play.textContent = "▶ " + box.getAttribute("data-play");
  play.addEventListener("click", function () {
    if (audio.paused) audio.play(); else audio.pause();
  });
  audio.addEventListener("play", function () {
    play.textContent = "❚❚ " + box.getAttribute("data-pause");
  });
  audio.addEventListener("pause", function () {
    play.textContent = "▶ " + box.getAttribute("data-play");
  });
  var speeds = document.createElement("div");
  speeds.className = "voice-speeds";
  speeds.setAttribute("role", "group");
  speeds.setAttribute("aria-label", box.getAttribute("data-speed"));
  [0.75, 1, 1.25].forEach(function (rate) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button secondary";
    b.textContent = String(rate).replace(".", ",") + "×";
    b.setAttribute("aria-pressed", rate === 1 ? "true" : "false");
    b.addEventListener("click", function () {
      audio.playbackRate = rate;
      speeds.querySelectorAll("button").forEach(function (other) {
        other.setAttribute("aria-pressed", other === b ? "true" : "false");
      });
    });
    speeds.appendChild(b);
  });
  box.insertBefore(speeds, audio);
  box.insertBefore(play, speeds);
  // Where the farmer stopped: restored once the file's length is known.
  var saved = 0;
  try { saved = parseFloat(localStorage.getItem(key)) || 0; } catch (e) { saved = 0; }
  audio.addEventListener("loadedmetadata", function () {
    if (saved > 0 && saved < audio.duration - 2) audio.currentTime = saved;
    saved = 0;
  });
  var last = 0;
  function remember() {
    try {
      if (audio.ended) localStorage.removeItem(key);
      else localStorage.setItem(key, String(Math.floor(audio.currentTime)));
    } catch (e) { /* private mode or full: playing still works */ }
  }
  audio.addEventListener("timeupdate", function () {
    if (Math.abs(audio.currentTime - last) >= 5) { last = audio.currentTime; remember(); }
  });
  audio.addEventListener("pause", remember);
  audio.addEventListener("ended", remember);
}());

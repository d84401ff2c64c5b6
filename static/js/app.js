// Small enhancements only: every page works without this file.
"use strict";
document.querySelectorAll("[data-show-password]").forEach(function (box) {
  var input = document.getElementById(box.getAttribute("data-show-password"));
  if (!input) return;
  box.closest("label").hidden = false;
  box.addEventListener("change", function () {
    input.type = box.checked ? "text" : "password";
  });
});
// Data saver: a picture link becomes the picture when tapped.
document.querySelectorAll("[data-tap-image]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    event.preventDefault();
    var image = document.createElement("img");
    image.src = link.getAttribute("href");
    image.alt = link.getAttribute("data-alt");
    link.replaceWith(image);
  });
});
// Print buttons (activation code slips): hidden until this script can press them.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

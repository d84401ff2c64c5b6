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

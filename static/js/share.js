// Share a certificate's link: the phone's share sheet where there is one,
// else copy the link. Without this file, the link is printed on the page.
"use strict";
document.querySelectorAll("[data-share]").forEach(function (button) {
  if (!navigator.share && !(navigator.clipboard && window.isSecureContext)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var url = button.getAttribute("data-share");
    if (navigator.share) {
      navigator.share({ title: button.getAttribute("data-share-title"), url: url })
        .catch(function () { /* closed by the user */ });
      return;
    }
    navigator.clipboard.writeText(url).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
});

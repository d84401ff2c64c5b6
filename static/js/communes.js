// Sign-up and the class form: a search box over the commune list (a province has up to ~170
// communes), and the province list shows its communes as soon as it changes.
// Without this file the page still works: choose the province, press the
// button, then pick the commune from the list.
"use strict";
(function () {
  function plain(text) {
    // Farmers often type without accents: "dai son" finds "Xã Đại Sơn".
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase().trim();
  }

  document.querySelectorAll("form[data-submit-on-change] select").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value) select.form.submit();
    });
  });

  document.querySelectorAll("select[data-commune-filter]").forEach(function (select) {
    var original = Array.prototype.map.call(select.children, function (node) {
      return node.cloneNode(true);
    });
    var search = document.createElement("input");
    search.type = "search";
    search.className = "commune-search";
    search.placeholder = select.getAttribute("data-commune-filter");
    search.setAttribute("aria-label", select.getAttribute("data-commune-filter"));
    search.setAttribute("autocomplete", "off");
    select.parentNode.insertBefore(search, select);

    function matches(option, words) {
      var name = plain(option.textContent);
      return option.value === "" || words.every(function (w) { return name.indexOf(w) >= 0; });
    }

    search.addEventListener("input", function () {
      var chosen = select.value;
      var words = plain(search.value).split(/\s+/).filter(Boolean);
      var found = 0;
      select.textContent = "";
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) {
            if (matches(option, words)) { group.appendChild(option.cloneNode(true)); found++; }
          });
          if (group.children.length) select.appendChild(group);
        } else if (matches(node, words)) {
          select.appendChild(node.cloneNode(true));
          if (node.value !== "") found++;
        }
      });
      if (!found) {
        var none = document.createElement("option");
        none.disabled = true;
        none.textContent = select.getAttribute("data-no-match");
        select.appendChild(none);
      } else if (found === 1 && words.length) {
        select.value = select.querySelector("option:not([value=''])").value;
        return;
      }
      select.value = chosen;
      if (select.value !== chosen) select.value = "";
    });
  });
})();

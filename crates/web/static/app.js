// phongtrao: small enhancements; every page works without this file.
// Unit search: filter the tree as the user types (the form still submits without JS).
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-filter-target]");
    if (!input) return;
    var tree = document.getElementById(input.getAttribute("data-filter-target"));
    if (!tree) return;
    var items = Array.prototype.slice.call(tree.querySelectorAll("li[data-key]"));
    var empty = document.querySelector(".filter-empty");
    input.addEventListener("input", function () {
      var words = fold(input.value).split(" ").filter(Boolean);
      var shown = 0;
      items.forEach(function (li) { li.hidden = false; });
      if (words.length === 0) { if (empty) empty.hidden = true; return; }
      // A unit shows when it or one of its descendants matches.
      items.slice().reverse().forEach(function (li) {
        var key = li.getAttribute("data-key");
        var self = words.every(function (w) { return key.indexOf(w) >= 0; });
        var child = li.querySelector("li[data-key]:not([hidden])") !== null;
        li.hidden = !(self || child);
        if (self) shown++;
        var d = li.querySelector("details");
        if (d && child) d.open = true;
      });
      if (empty) empty.hidden = shown > 0;
    });
  });
})();

// Applies the stored theme before first paint and wires the header's theme switch.
(function () {
  "use strict";
  var KEY = "kairos.theme";
  var root = document.documentElement;
  function stored() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function apply(theme) { root.setAttribute("data-theme", theme === "light" ? "light" : "dark"); }
  apply(stored() || "dark");
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "light" ? "dark" : "light";
      apply(next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: the switch still works */ }
    });
  });
})();

// The theme: the user's choice (System / Light / Dark, remembered in localStorage) or, until one is made, the
// operating system's. Loaded without defer in <head>, so data-theme is set before the first paint (no flash of
// the wrong palette); it also marks <html> with .js, which the CSS uses to fold the phone menus.
(function () {
  "use strict";
  var KEY = "kairos.theme";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var memory = null; // the choice when localStorage is unavailable (private mode): kept for this page

  function valid(value) { return value === "light" || value === "dark" ? value : "system"; }
  function choice() {
    try { return valid(localStorage.getItem(KEY)); } catch (e) { return valid(memory); }
  }
  function remember(value) {
    memory = value;
    try {
      if (value === "system") localStorage.removeItem(KEY); else localStorage.setItem(KEY, value);
    } catch (e) { /* private mode: the choice holds until the page is left */ }
  }
  function apply() {
    var picked = choice();
    var theme = picked === "system" ? (media && media.matches ? "dark" : "light") : picked;
    root.setAttribute("data-theme", theme);
  }

  root.classList.add("js");
  apply();
  // "System" follows a change of the OS setting at once; another tab's choice is taken over too.
  if (media && media.addEventListener) media.addEventListener("change", apply);
  window.addEventListener("storage", function (e) { if (e.key === KEY || e.key === null) { apply(); sync(); } });

  function sync() {
    var picker = document.getElementById("theme-picker");
    if (picker) picker.value = choice();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var picker = document.getElementById("theme-picker");
    if (!picker) return;
    sync();
    picker.addEventListener("change", function () {
      remember(valid(picker.value));
      apply();
    });
  });
})();

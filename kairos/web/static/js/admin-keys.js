// The page that shows a new API key once: a Copy button (shown only when this script runs).
(function () {
  "use strict";
  var button = document.getElementById("copy-key");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-target"));
  var status = document.getElementById("copy-status");
  button.hidden = false;

  function done(text) { status.textContent = text; }

  button.addEventListener("click", function () {
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { done("Copied to the clipboard."); },
        function () { done("Selected: press Ctrl+C (or \u2318+C) to copy."); }
      );
    } else {
      // Plain HTTP has no clipboard API: leave the key selected for the keyboard shortcut.
      done("Selected: press Ctrl+C (or \u2318+C) to copy.");
    }
  });
})();

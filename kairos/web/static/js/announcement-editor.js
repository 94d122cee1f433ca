// The announcement form: a small Markdown toolbar, a live preview rendered (and sanitised) by the server,
// and "active until" read in the browser's time zone and sent as UTC.
(function () {
  "use strict";

  var form = document.getElementById("announcement-form");
  if (!form) return;
  var textarea = document.getElementById("content");
  var toolbar = form.querySelector(".md-toolbar");
  var kind = document.getElementById("kind");
  var preview = document.getElementById("preview");
  var previewBody = document.getElementById("preview-body");
  var previewStatus = document.getElementById("preview-status");
  var untilLocal = document.getElementById("active_until_local");
  var untilUtc = document.getElementById("active_until");

  // -- toolbar --------------------------------------------------------------------------------------------

  function changed() {
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  // Puts before/after around the selection; with nothing selected, around a placeholder that stays selected.
  function wrap(before, after, placeholder) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var text = textarea.value.slice(start, end) || placeholder;
    textarea.setRangeText(before + text + after, start, end, "end");
    textarea.setSelectionRange(start + before.length, start + before.length + text.length);
    changed();
  }

  // Prefixes every line the selection touches ("- ", "1. ", "### ").
  function prefixLines(prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = value.indexOf("\n", Math.max(textarea.selectionEnd - 1, start));
    if (end === -1) end = value.length;
    var n = 0;
    var lines = value.slice(start, end).split("\n").map(function (line) {
      if (!line.trim() && start !== end) return line;
      n += 1;
      return prefix(n) + line;
    });
    var block = lines.join("\n");
    textarea.setRangeText(block, start, end, "end");
    textarea.setSelectionRange(start + block.length, start + block.length);
    changed();
  }

  function link() {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var text = textarea.value.slice(start, end) || "link text";
    var url = "https://";
    textarea.setRangeText("[" + text + "](" + url + ")", start, end, "end");
    var at = start + text.length + 3;  // inside the parentheses, where the address goes
    textarea.setSelectionRange(at, at + url.length);
    changed();
  }

  var actions = {
    bold: function () { wrap("**", "**", "bold text"); },
    italic: function () { wrap("_", "_", "italic text"); },
    heading: function () { prefixLines(function () { return "### "; }); },
    bullets: function () { prefixLines(function () { return "- "; }); },
    numbers: function () { prefixLines(function (n) { return n + ". "; }); },
    link: link,
  };

  toolbar.hidden = false;
  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-md]");
    if (button && actions[button.dataset.md]) actions[button.dataset.md]();
  });
  textarea.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "b" || key === "i" || key === "k") {
      event.preventDefault();
      actions[key === "b" ? "bold" : key === "i" ? "italic" : "link"]();
    }
  });

  // -- live preview -----------------------------------------------------------------------------------------

  var timer = null, sent = 0;

  async function refresh() {
    var mine = ++sent;
    try {
      var body = await Kairos.api("POST", preview.dataset.previewUrl, { content: textarea.value });
      if (mine !== sent) return;  // an older answer arriving after a newer one must not win
      // innerHTML is safe here only because the server sanitised it (nh3 allow-list), exactly as on the pages.
      previewBody.innerHTML = body.contentHtml;
      previewStatus.textContent = "";
    } catch (error) {
      if (mine === sent) previewStatus.textContent = "The preview could not be updated: " + error.message;
    }
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  kind.addEventListener("change", function () {
    preview.classList.remove("alert-information", "alert-warning", "alert-problem");
    preview.classList.add("alert-" + kind.value.toLowerCase());
  });

  // -- "active until" in the browser's time zone --------------------------------------------------------------

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function localValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // A datetime-local value has no zone; new Date() reads "YYYY-MM-DDTHH:MM" as local time.
  function syncUntil() {
    var date = untilLocal.value ? new Date(untilLocal.value) : null;
    untilUtc.value = date && !isNaN(date.getTime()) ? date.toISOString() : "";
  }

  if (untilLocal.dataset.utc) {
    var stored = new Date(untilLocal.dataset.utc);
    untilLocal.value = localValue(stored);
    untilUtc.value = untilLocal.dataset.utc;  // exact, seconds included, while the field is left alone
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.getElementById("until-zone").textContent =
    "Times are in your time zone" + (zone ? " (" + zone + ")" : "") + ".";
  untilLocal.addEventListener("input", syncUntil);
  untilLocal.addEventListener("change", syncUntil);
})();

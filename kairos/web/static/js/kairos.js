// Shared helpers for the page scripts: API calls with the session's CSRF token, and formatting.
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Calls the JSON API; resolves to the parsed body (null for 204), rejects with an Error carrying
  // .status, .code and .field from the API's {"error": {...}} shape.
  async function api(method, url, body) {
    var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    if (method !== "GET" && method !== "HEAD") options.headers["X-CSRF-Token"] = csrf();
    var response = await fetch(url, options);
    var data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      var detail = data && data.error ? data.error : {};
      var error = new Error(detail.message || "HTTP " + response.status);
      error.status = response.status;
      error.code = detail.code || null;
      error.field = detail.field || null;
      throw error;
    }
    return data;
  }

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  // The site's display settings (layout.html): times in its zone, named as the server names them, and
  // availability with its number of decimals. Data from the API stays UTC; only the text shown follows these.
  var display = (function () {
    var meta = document.querySelector('meta[name="kairos-display"]'), out = { zone: "UTC", abbr: {}, decimals: 2 };
    if (!meta) return out;
    try { out.abbr = JSON.parse(meta.getAttribute("data-abbr") || "{}"); } catch (e) { out.abbr = {}; }
    var d = parseInt(meta.getAttribute("data-decimals"), 10);
    if (d >= 0 && d <= 4) out.decimals = d;
    out.zone = meta.getAttribute("content") || "UTC";
    return out;
  })();

  var wallFormat = (function () {
    var options = { timeZone: display.zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit" };
    try { return new Intl.DateTimeFormat("en-US", options); } catch (e) {
      // A browser without this zone in its tz data: UTC, named as such, rather than a time that reads wrong.
      display.zone = "UTC";
      display.abbr = {};
      options.timeZone = "UTC";
      return new Intl.DateTimeFormat("en-US", options);
    }
  })();

  // The wall clock in the site's zone: {y, mo, d, h, mi, s, offset (minutes east of UTC)}.
  function wall(t) {
    var p = {};
    wallFormat.formatToParts(t).forEach(function (part) { p[part.type] = part.value; });
    var w = { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second };
    var whole = Math.floor(t.getTime() / 1000) * 1000;
    w.offset = Math.round((Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - whole) / 60000);
    return w;
  }

  function zoneOf(w) {
    var m = Math.abs(w.offset), key = (w.offset < 0 ? "-" : "+") + pad(Math.floor(m / 60)) + ":" + pad(m % 60);
    if (display.abbr[key]) return display.abbr[key];
    return display.zone === "UTC" ? "UTC" : "UTC" + key;
  }

  function toDate(value) { return value instanceof Date ? value : new Date(value); }

  var fmt = {
    // Under 10 ms with a tenth, as the server's ``ms`` filter: a 0.4 ms answer is not "0 ms".
    ms: function (v) {
      if (v === null || v === undefined) { return "\u2013"; }
      return (v < 10 ? v.toFixed(1) : String(Math.round(v))) + " ms";
    },
    // As kairos/web/display.py percent(): short of 100 never reads as 100.
    pct: function (v) {
      if (v === null || v === undefined) return "\u2013";
      if (v >= 100) return "100 %";
      var text = v.toFixed(display.decimals);
      if (parseFloat(text) >= 100) text = display.decimals ? "99." + new Array(display.decimals + 1).join("9") : "99";
      return text + " %";
    },
    // "3d 4h", "2h 5m", "4m 10s": the two largest units.
    duration: function (seconds) {
      if (seconds === null || seconds === undefined || seconds < 0) return "\u2013";
      var s = Math.floor(seconds), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
      var m = Math.floor((s % 3600) / 60), sec = s % 60;
      if (d) return d + "d " + h + "h";
      if (h) return h + "h " + m + "m";
      return m + "m " + sec + "s";
    },
    // The site's zone, "YYYY-MM-DD HH:MM" (with seconds when asked), without the zone's name: for axes and
    // ranges that name it once (fmt.zone).
    time: function (value, seconds) {
      if (!value && value !== 0) return "\u2013";
      var t = toDate(value);
      if (isNaN(t.getTime())) return "\u2013";
      var w = wall(t);
      var out = w.y + "-" + pad(w.mo) + "-" + pad(w.d) + " " + pad(w.h) + ":" + pad(w.mi);
      return seconds ? out + ":" + pad(w.s) : out;
    },
    // The zone's name at that moment: "CEST", "CET", "UTC", or "UTC-03:00" where tz data has no abbreviation.
    zone: function (value) {
      var t = toDate(value);
      return isNaN(t.getTime()) ? "" : zoneOf(wall(t));
    },
    // A time with its zone, as the server's |when filter shows it.
    when: function (value, seconds) {
      var text = fmt.time(value, seconds);
      return text === "\u2013" ? text : text + " " + fmt.zone(value);
    },
  };

  window.Kairos = { api: api, csrf: csrf, fmt: fmt, display: display };

  // Phone menus (the header's links, the console's menu): a .menu-toggle button opens and closes the element
  // named by its aria-controls; Escape closes it and gives the focus back to the button. The CSS folds the
  // menus only when this script runs (html.js), so without it they stay in view.
  function wireMenu(button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
    menu.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { set(false); button.focus(); }
    });
  }
  document.querySelectorAll(".menu-toggle[aria-controls]").forEach(wireMenu);

  // Add and edit forms (form[data-autofocus]) start with the keyboard in their first field, or after a refused
  // save in the first field that needs a change; never when the page is opened at an anchor or something
  // already has the focus.
  function shown(node) { return node.getClientRects().length > 0; }
  function autofocus() {
    var form = document.querySelector("form[data-autofocus]");
    if (!form || location.hash || (document.activeElement && document.activeElement !== document.body)) return;
    var fields = form.querySelectorAll('[aria-invalid="true"], input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])');
    var invalid = form.querySelector('[aria-invalid="true"]');
    var first = Array.prototype.filter.call(fields, shown)[0];
    var target = invalid && shown(invalid) ? invalid : first;
    if (target) target.focus();
  }
  autofocus();
})();

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

  var fmt = {
    ms: function (v) { return v === null || v === undefined ? "\u2013" : Math.round(v) + " ms"; },
    pct: function (v) {
      if (v === null || v === undefined) return "\u2013";
      return v >= 100 ? "100 %" : v.toFixed(2) + " %";
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
    // Local time, "YYYY-MM-DD HH:MM" (with seconds when asked).
    time: function (value, seconds) {
      if (!value) return "\u2013";
      var t = value instanceof Date ? value : new Date(value);
      var out = t.getFullYear() + "-" + pad(t.getMonth() + 1) + "-" + pad(t.getDate()) + " " +
        pad(t.getHours()) + ":" + pad(t.getMinutes());
      return seconds ? out + ":" + pad(t.getSeconds()) : out;
    },
  };

  window.Kairos = { api: api, csrf: csrf, fmt: fmt };
})();

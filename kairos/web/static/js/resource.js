// Resource page: the latency chart (our own SVG: window switch, legend toggles, zoom, pan, tooltips by mouse
// and keyboard) and the live "down since" counters. Data: /api/resources/{id}/latency-samples (<= 500 points).
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var SERIES = [
    { key: "latencyMs", name: "Total", cls: "s-total" },
    { key: "dnsResolutionMs", name: "DNS", cls: "s-dns" },
    { key: "connectMs", name: "Connect", cls: "s-connect" },
    { key: "tlsHandshakeMs", name: "TLS", cls: "s-tls" },
  ];
  var HEIGHT = 260, M = { top: 12, right: 12, bottom: 26, left: 52 };
  var MIN_SPAN = 10 * 60 * 1000; // never zoom closer than ten minutes

  // --- live "down since" counters -------------------------------------------------------------------------
  function tickSince() {
    var now = Date.now();
    document.querySelectorAll(".js-since").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(since)) el.textContent = Kairos.fmt.duration((now - since) / 1000);
    });
  }
  if (document.querySelector(".js-since")) {
    tickSince();
    setInterval(tickSince, 1000);
  }

  var card = document.getElementById("latency");
  var box = document.getElementById("chart");
  if (!card || !box) return;

  var st = {
    hours: 24, points: [], full: [0, 0], view: [0, 0], hidden: {}, focus: -1, drag: null, seq: 0, geo: null,
  };
  var maintenance = JSON.parse(card.getAttribute("data-maintenance") || "[]");
  var statusEl = document.getElementById("chart-status");
  var rangeEl = document.getElementById("chart-range");
  var pointEl = document.getElementById("chart-point");
  var tip = document.createElement("div");
  tip.className = "tooltip";
  tip.id = "chart-tooltip";
  tip.hidden = true;
  tip.setAttribute("role", "tooltip");
  document.body.appendChild(tip);

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function slotMs(hours) {
    var s = hours <= 24 ? Math.ceil(hours * 3600 / 500 / 60) * 60 : Math.ceil(hours * 3600 / 900 / 500) * 900;
    return s * 1000;
  }

  // The y-axis: about five steps of 1, 2 or 5 times a power of ten from 0 to the first tick at or above the
  // highest value, with as many decimals as the step needs (0.2 ms steps under a millisecond, 500 ms steps
  // around a second), so no two labels read the same. Nothing recorded, or only zeros: 0 to 1 ms.
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }

  function yTicks(v) {
    var top = v > 0 ? Math.max(v, 0.01) : 1;
    var step = niceStep(top / 5);
    var count = Math.max(1, Math.ceil(top / step - 1e-9));
    var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    var values = [];
    for (var i = 0; i <= count; i++) values.push(i * step);
    return { max: count * step, values: values, text: function (x) { return x.toFixed(decimals) + " ms"; } };
  }

  // A point's value in the tooltip: a tenth of a millisecond below 10 ms, where "0 ms" would hide the value.
  function pointMs(v) {
    if (v === null || v === undefined || v >= 10) return Kairos.fmt.ms(v);
    return v.toFixed(1) + " ms";
  }

  function label(t, span) {
    var s = Kairos.fmt.time(new Date(t));
    if (span <= 36 * 3600e3) return s.slice(11);
    if (span <= 10 * 86400e3) return s.slice(5);
    return s.slice(5, 10);
  }

  function visible() {
    return st.points.filter(function (p) { return p.t >= st.view[0] && p.t <= st.view[1]; });
  }

  function shown() {
    return SERIES.filter(function (s) { return !st.hidden[s.key]; });
  }

  function draw() {
    box.textContent = "";
    var width = Math.max(280, box.clientWidth || 600);
    var w = width - M.left - M.right, h = HEIGHT - M.top - M.bottom;
    var pts = visible(), series = shown();
    var max = 0;
    pts.forEach(function (p) {
      series.forEach(function (s) { if (p[s.key] !== null && p[s.key] > max) max = p[s.key]; });
    });
    var ticks = yTicks(max);
    max = ticks.max;
    var span = st.view[1] - st.view[0];
    var x = function (t) { return M.left + (t - st.view[0]) / span * w; };
    var y = function (v) { return M.top + h - v / max * h; };
    st.geo = { x: x, y: y, w: w, h: h, width: width };
    var svg = el("svg", { width: width, height: HEIGHT, viewBox: "0 0 " + width + " " + HEIGHT, "aria-hidden": "true" });
    svg.setAttribute("data-points", String(pts.length));
    ticks.values.forEach(function (v) {
      var gy = y(v);
      el("line", { x1: M.left, x2: M.left + w, y1: gy, y2: gy, "class": "grid" }, svg);
      el("text", { x: M.left - 6, y: gy + 4, "class": "axis y-tick", "text-anchor": "end" }, svg).textContent = ticks.text(v);
    });
    for (var j = 0; j <= 4; j++) {
      var t = st.view[0] + span * j / 4;
      var anchor = j === 0 ? "start" : j === 4 ? "end" : "middle";
      el("text", { x: x(t), y: HEIGHT - 6, "class": "axis", "text-anchor": anchor }, svg).textContent = label(t, span);
    }
    maintenance.forEach(function (m) { // maintenance windows: shaded bands, and no latency counted in them
      var a = Math.max(m[0], st.view[0]), b = Math.min(m[1], st.view[1]);
      if (b > a) el("rect", { x: x(a), y: M.top, width: Math.max(1, x(b) - x(a)), height: h, "class": "maint" }, svg);
    });
    var gap = slotMs(st.hours) * 2.5;
    series.forEach(function (s) {
      var d = "", prev = null;
      pts.forEach(function (p) {
        var v = p[s.key];
        if (v === null || v === undefined) { prev = null; return; }
        d += (prev === null || p.t - prev > gap ? "M" : "L") + x(p.t).toFixed(1) + "," + y(v).toFixed(1);
        prev = p.t;
      });
      if (d) el("path", { d: d, "class": "line " + s.cls, "data-series": s.key }, svg);
      if (pts.length <= 80) { // few points: mark each, or a lone point would be invisible
        pts.forEach(function (p) {
          if (p[s.key] !== null) el("circle", { cx: x(p.t), cy: y(p[s.key]), r: 2, "class": "pt " + s.cls }, svg);
        });
      }
    });
    st.guide = el("line", { y1: M.top, y2: M.top + h, "class": "guide", visibility: "hidden" }, svg);
    st.band = el("rect", { y: M.top, height: h, "class": "band", visibility: "hidden" }, svg);
    box.appendChild(svg);
    box.setAttribute("data-count", String(pts.length));
    rangeEl.textContent = Kairos.fmt.time(new Date(st.view[0])) + " – " + Kairos.fmt.when(new Date(st.view[1]));
    rangeEl.setAttribute("data-from", String(Math.round(st.view[0])));
    rangeEl.setAttribute("data-to", String(Math.round(st.view[1])));
    statusEl.textContent = st.points.length === 0 ? "No latency recorded in this window." :
      pts.length + " of " + st.points.length + " points";
    if (st.focus >= 0) showPoint(st.focus, null);
  }

  // --- zoom and pan ---------------------------------------------------------------------------------------
  function setView(a, b) {
    var full = st.full, span = Math.max(MIN_SPAN, b - a);
    span = Math.min(span, full[1] - full[0]);
    if (a < full[0]) a = full[0];
    if (a + span > full[1]) a = full[1] - span;
    st.view = [a, a + span];
    st.focus = -1;
    hideTip();
    draw();
  }

  function zoom(factor, centre) {
    var v = st.view, c = centre === undefined ? (v[0] + v[1]) / 2 : centre;
    setView(c - (c - v[0]) * factor, c + (v[1] - c) * factor);
  }

  function pan(fraction) {
    var span = st.view[1] - st.view[0];
    setView(st.view[0] + span * fraction, st.view[1] + span * fraction);
  }

  function timeAt(clientX) {
    var r = box.getBoundingClientRect(), g = st.geo;
    var f = Math.min(1, Math.max(0, (clientX - r.left - M.left) / g.w));
    return st.view[0] + f * (st.view[1] - st.view[0]);
  }

  // --- tooltip --------------------------------------------------------------------------------------------
  function hideTip() {
    tip.hidden = true;
    if (st.guide) st.guide.setAttribute("visibility", "hidden");
  }

  function nearest(t) {
    var pts = visible(), best = -1, dist = Infinity;
    pts.forEach(function (p) {
      var d = Math.abs(p.t - t);
      if (d < dist) { dist = d; best = st.points.indexOf(p); }
    });
    return best;
  }

  function showPoint(index, mouse) {
    var p = st.points[index];
    if (!p) return hideTip();
    var lines = [Kairos.fmt.when(new Date(p.t))];
    SERIES.forEach(function (s) { lines.push(s.name + ": " + pointMs(p[s.key])); });
    tip.textContent = "";
    lines.forEach(function (text, i) {
      var row = document.createElement("div");
      if (i === 0) row.className = "tip-time";
      row.textContent = text;
      tip.appendChild(row);
    });
    tip.hidden = false;
    var gx = st.geo.x(p.t), r = box.getBoundingClientRect();
    st.guide.setAttribute("x1", gx);
    st.guide.setAttribute("x2", gx);
    st.guide.setAttribute("visibility", "visible");
    var left = mouse ? mouse.x + 14 : r.left + gx + 14, top = mouse ? mouse.y + 14 : r.top + M.top;
    if (left + 200 > window.innerWidth) left = Math.max(4, left - 230);
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    if (!mouse) pointEl.textContent = lines.join(", ");
  }

  // --- mouse: hover tooltip, drag to select (zoom), Shift+drag to pan, wheel to zoom --------------------------
  box.addEventListener("mousemove", function (e) {
    if (!st.geo) return;
    if (st.drag) {
      var d = st.drag;
      if (d.pan) {
        var dt = (d.x - e.clientX) / st.geo.w * (d.view[1] - d.view[0]);
        setView(d.view[0] + dt, d.view[1] + dt);
        return;
      }
      var a = Math.min(d.x, e.clientX), b = Math.max(d.x, e.clientX), r = box.getBoundingClientRect();
      st.band.setAttribute("x", Math.max(M.left, a - r.left));
      st.band.setAttribute("width", Math.min(b - a, st.geo.w));
      st.band.setAttribute("visibility", "visible");
      return;
    }
    var i = nearest(timeAt(e.clientX));
    if (i >= 0) showPoint(i, { x: e.clientX, y: e.clientY }); else hideTip();
  });
  box.addEventListener("mouseleave", function () { if (!st.drag) hideTip(); });
  box.addEventListener("mousedown", function (e) {
    if (e.button !== 0 || !st.geo) return;
    e.preventDefault();
    st.drag = { x: e.clientX, pan: e.shiftKey, view: st.view.slice() };
    hideTip();
  });
  window.addEventListener("mouseup", function (e) {
    var d = st.drag;
    st.drag = null;
    if (!d || d.pan) return;
    if (st.band) st.band.setAttribute("visibility", "hidden");
    if (Math.abs(e.clientX - d.x) < 6) return; // a click, not a selection
    var a = timeAt(Math.min(d.x, e.clientX)), b = timeAt(Math.max(d.x, e.clientX));
    setView(a, b);
  });
  box.addEventListener("wheel", function (e) {
    if (!st.geo || !st.points.length) return;
    e.preventDefault();
    zoom(e.deltaY < 0 ? 0.8 : 1.25, timeAt(e.clientX));
  }, { passive: false });

  // --- keyboard on the chart ------------------------------------------------------------------------------
  box.addEventListener("keydown", function (e) {
    var pts = visible();
    if (e.key === "+" || e.key === "=") zoom(0.5);
    else if (e.key === "-") zoom(2);
    else if (e.key === "0") setView(st.full[0], st.full[1]);
    else if (e.key === "Escape") { st.focus = -1; hideTip(); }
    else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && e.shiftKey) pan(e.key === "ArrowLeft" ? -0.25 : 0.25);
    else if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(e.key) >= 0 && pts.length) {
      var first = st.points.indexOf(pts[0]), last = st.points.indexOf(pts[pts.length - 1]);
      var i = st.focus < first || st.focus > last ? (e.key === "ArrowLeft" || e.key === "End" ? last : first) : st.focus;
      if (e.key === "ArrowLeft" && st.focus >= first) i = Math.max(first, i - 1);
      if (e.key === "ArrowRight" && st.focus >= first && st.focus <= last) i = Math.min(last, i + 1);
      if (e.key === "Home") i = first;
      if (e.key === "End") i = last;
      st.focus = i;
      showPoint(i, null);
    } else return;
    e.preventDefault();
  });
  box.addEventListener("blur", function () { st.focus = -1; hideTip(); });

  // --- buttons --------------------------------------------------------------------------------------------
  card.querySelectorAll("[data-action]").forEach(function (b) {
    b.addEventListener("click", function () {
      var a = b.getAttribute("data-action");
      if (a === "zoom-in") zoom(0.5);
      else if (a === "zoom-out") zoom(2);
      else if (a === "pan-left") pan(-0.25);
      else if (a === "pan-right") pan(0.25);
      else setView(st.full[0], st.full[1]);
    });
  });
  card.querySelectorAll("[data-series]").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.getAttribute("data-series"), on = b.getAttribute("aria-pressed") !== "true";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      st.hidden[key] = !on;
      draw();
    });
  });
  card.querySelectorAll("[data-hours]").forEach(function (b) {
    b.addEventListener("click", function () {
      card.querySelectorAll("[data-hours]").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
      load(parseInt(b.getAttribute("data-hours"), 10));
    });
  });

  // --- data -----------------------------------------------------------------------------------------------
  async function load(hours) {
    var seq = ++st.seq;
    statusEl.textContent = "Loading…";
    card.setAttribute("aria-busy", "true");
    try {
      var data = await Kairos.api("GET", card.getAttribute("data-url") + "?hours=" + hours);
      if (seq !== st.seq) return; // a later switch won
      var now = Date.now();
      st.hours = hours;
      st.points = data.map(function (s) {
        var p = { t: Date.parse(s.timestamp) };
        SERIES.forEach(function (k) { p[k.key] = s[k.key] === undefined ? null : s[k.key]; });
        return p;
      });
      st.full = [now - hours * 3600e3, now];
      st.view = st.full.slice();
      st.focus = -1;
      card.setAttribute("data-hours-loaded", String(hours));
      hideTip();
      draw();
    } catch (err) {
      if (seq === st.seq) statusEl.textContent = "Could not load the latency: " + err.message;
    } finally {
      if (seq === st.seq) card.removeAttribute("aria-busy");
    }
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (st.geo) draw(); }, 100);
  });

  load(24);
})();

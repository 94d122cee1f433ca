// The status board: draws the 96-block timelines of the rows in view, tooltips with each block's counts
// (fetched per resource on first use), search/status filter, collapsible groups, timeline/card view, and
// live updates from /api/resources/stream (falling back to polling when the stream is unavailable). The
// heartbeat view draws each resource's last checks instead (one mark per check; details fetched on hover).
(function () {
  "use strict";
  var BLOCK = 900, N = 96, CLS = { A: "a", N: "n", U: "u", M: "m" };
  var LABEL = { A: "Available", N: "Not available", U: "Unknown", "-": "No data" };
  var STATUS_TEXT = { available: "Available", "not-available": "Not available", unknown: "Unknown", maintenance: "Maintenance" };
  var KEY_VIEW = "kairos.dashboard.view", KEY_COLLAPSED = "kairos.dashboard.collapsed";
  var board = document.getElementById("dash-board");
  if (!board || !window.Kairos) return;
  var fmt = window.Kairos.fmt;
  var tip = document.getElementById("dash-tip");
  var liveNote = document.getElementById("dash-live");
  var data, skew, recs, observer, source = null, pollTimer = null, reloadTimer = null, opens = 0;
  var details = {}; // resource id -> Promise of {start epoch -> block} for tooltips
  var beatInfo = {}; // resource id -> Promise of the last checks (/api/resources/{id}/recent) for the marks' titles
  var view = "timeline";
  var hiddenAt = 0, tipFor = null;
  var pageAll = !/^\/groups\//.test(window.location.pathname); // the group page shows a subset
  var hooks = {}; // streamQuery, summary, unknown, afterInit: set by dashboard-scale.js above the threshold
  data = JSON.parse(document.getElementById("dash-data").textContent); // read first: the setup below asks data.scaled

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the choice lasts for this page only */ }
    return null;
  }

  // -- rows ----------------------------------------------------------------------------------------------

  // The server sends timelines run-length encoded ("A80-16": 80 available blocks, then 16 without data).
  function expand(code) {
    var out = "", re = /([ANUM-])(\d*)/g, m;
    while ((m = re.exec(code || ""))) out += new Array((m[2] ? +m[2] : 1) + 1).join(m[1]);
    return (out + new Array(N + 1).join("-")).slice(0, N);
  }

  // The heartbeat letters, one per check, oldest first: not padded (a new resource has only a few).
  function expandBeats(code) {
    var out = "", re = /([ANUM])(\d*)/g, m;
    while ((m = re.exec(code || ""))) out += new Array((m[2] ? +m[2] : 1) + 1).join(m[1]);
    return out.slice(-data.beats);
  }

  function statusOf(li) {
    var dot = li.querySelector(".dot");
    return dot.classList.contains("available") ? "available"
      : dot.classList.contains("not-available") ? "not-available"
      : dot.classList.contains("maintenance") ? "maintenance" : "unknown";
  }

  function init() {
    data = JSON.parse(document.getElementById("dash-data").textContent);
    skew = data.now * 1000 - Date.now();
    recs = {};
    if (observer) observer.disconnect();
    observer = "IntersectionObserver" in window ? new IntersectionObserver(onView, { rootMargin: "300px" }) : null;
    board.querySelectorAll("li.r").forEach(function (li) { adopt(li, data.edge); });
    applyCollapsed();
    applyFilter();
    tickOutages();
    if (hooks.afterInit) hooks.afterInit();
  }

  // Takes a row in (rendered with the page, or loaded when a group opened: its timeline ends at ``edge``).
  function adopt(li, edge) {
    var id = +li.dataset.id, rec = recs[id], out = li.querySelector(".o");
    if (!rec) {
      rec = recs[id] = { id: id, tl: expand(li.dataset.tl), edge: edge, status: statusOf(li), v: 1, lis: [],
        since: out ? out.dataset.since : null, hb: expandBeats(li.dataset.hb), hbCode: li.dataset.hb, hv: 1, failing: +(li.dataset.fs || 0) };
      shiftTo(rec, data.edge);
    }
    rec.lis.push(li);
    li._q = (li.querySelector(".n").textContent + " " + ((li.querySelector(".t") || {}).textContent || "")).toLowerCase();
    var tl = li.querySelector(".tl");
    tl.tabIndex = 0;
    tl.setAttribute("role", "group");
    tl.setAttribute("aria-label", "Last 24 hours of " + li.querySelector(".n").textContent +
      ": arrow keys read each 15-minute block");
    // Added here, not in the HTML: ~60 bytes a row that 1,000 rows would pay on every load. Appended last, so
    // the figures keep their :nth-of-type places in the CSS; the CSS puts the bar in the timeline's cell.
    var hb = li.querySelector(".hb"), target = li.querySelector(".t");
    if (!hb) {
      hb = document.createElement("span");
      hb.className = "hb";
      li.appendChild(hb);
    }
    if (target) target.title = target.textContent; // a long address ends in "…": the whole of it on hover
    hb.setAttribute("role", "img");
    hb.style.setProperty("--hb-n", String(data.beats));
    if (observer) observer.observe(li); else paint(li);
  }

  // Rows leave with a closed group: their resources stop being tracked once no row shows them.
  function release(li) {
    var rec = recs[+li.dataset.id];
    if (observer) observer.unobserve(li);
    if (!rec) return;
    rec.lis = rec.lis.filter(function (other) { return other !== li; });
    if (!rec.lis.length) delete recs[rec.id];
  }

  function onView(entries) {
    entries.forEach(function (e) { if (e.isIntersecting) paint(e.target); });
  }

  // Builds the row's marks once, then only re-classes them when a check came in; empty slots lead.
  function paintBeats(li) {
    var rec = recs[+li.dataset.id], hb = li.querySelector(".hb"), n = data.beats;
    if (!rec || li._hv === rec.hv) return;
    if (hb.children.length !== n) {
      var frag = document.createDocumentFragment();
      for (var i = 0; i < n; i++) frag.appendChild(document.createElement("span"));
      hb.textContent = "";
      hb.appendChild(frag);
    }
    var pad = n - rec.hb.length, ups = 0;
    for (var k = 0; k < n; k++) {
      var letter = k < pad ? "" : rec.hb.charAt(k - pad);
      hb.children[k].className = CLS[letter] || "e";
      hb.children[k].removeAttribute("title");
      if (letter === "A") ups++;
    }
    hb.setAttribute("aria-label", "Last " + rec.hb.length + " checks of " + li.querySelector(".n").textContent +
      ": " + ups + " available");
    li._hv = rec.hv;
  }

  // Builds the row's 96 blocks once, then only re-classes them when the resource's timeline changed.
  function paint(li) {
    if (view === "heartbeat") { paintBeats(li); return; }
    var rec = recs[+li.dataset.id], tl = li.querySelector(".tl");
    if (!rec || li._v === rec.v) return;
    if (tl.children.length !== N) {
      var frag = document.createDocumentFragment();
      for (var i = 0; i < N; i++) frag.appendChild(document.createElement("span"));
      tl.textContent = "";
      tl.appendChild(frag);
    }
    for (var k = 0; k < N; k++) tl.children[k].className = CLS[rec.tl.charAt(k)] || "";
    li._v = rec.v;
  }

  function repaint(rec) {
    rec.v++;
    rec.lis.forEach(function (li) { if (li.querySelector(".tl").children.length) paint(li); });
  }

  function repaintBeats(rec) {
    rec.hv++;
    delete beatInfo[rec.id];
    rec.lis.forEach(function (li) { if (li.querySelector(".hb").children.length) paintBeats(li); });
  }

  // Moves a timeline forward so that its last block starts at ``edge``; blocks that enter have no data yet.
  function shiftTo(rec, edge) {
    if (edge <= rec.edge) return false;
    var k = Math.round((edge - rec.edge) / BLOCK);
    rec.tl = k >= N ? new Array(N + 1).join("-") : rec.tl.slice(k) + new Array(k + 1).join("-");
    rec.edge = edge;
    return true;
  }

  function serverEdge() {
    return Math.floor((Date.now() + skew) / 1000 / BLOCK) * BLOCK;
  }

  function advanceAll() {
    var edge = serverEdge();
    Object.keys(recs).forEach(function (id) { if (shiftTo(recs[id], edge)) repaint(recs[id]); });
  }

  function setText(li, selector, text) {
    var el = li.querySelector(selector);
    if (el && el.textContent !== text) el.textContent = text;
  }

  function render(rec, u) {
    rec.lis.forEach(function (li) {
      li.querySelector(".dot").className = "dot " + rec.status;
      setText(li, ".st", STATUS_TEXT[rec.status] || "Unknown");
      var ups = li.querySelectorAll(".u");
      if (u.uptime) {
        ups[0].textContent = fmt.pct(u.uptime.h24);
        ups[1].textContent = fmt.pct(u.uptime.d7);
        ups[2].textContent = fmt.pct(u.uptime.d30);
      } else if (u.uptimePercentage !== undefined) {
        ups[0].textContent = fmt.pct(u.uptimePercentage);
      }
      if (u.latencyMs !== undefined) setText(li, ".l", fmt.ms(u.latencyMs));
      var out = li.querySelector(".o");
      if (rec.since && !out) {
        out = document.createElement("span");
        out.className = "o";
        li.querySelector(".m").appendChild(out);
      }
      if (out && !rec.since) out.remove();
      else if (out) out.dataset.since = rec.since;
      if (u.certDays !== undefined) certMarker(li, u.certDays);  // the stream sends it; polling does not
      failing(li, rec.failing);
    });
  }

  // "failing, 1 of 3": the latest checks failed but the outage threshold (the row's data-th) is not reached.
  function failing(li, streak) {
    var el = li.querySelector(".fl");
    li.classList.toggle("failing", streak > 0);
    if (!streak) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("span");
      el.className = "fl";
      li.querySelector(".st").insertAdjacentElement("afterend", el);
    }
    var threshold = li.dataset.th || "3"; // the page leaves out the usual 3
    el.title = "The last " + streak + " check" + (streak === 1 ? "" : "s") + " failed; an outage opens at " + threshold;
    setText(li, ".fl", "failing, " + streak + " of " + threshold);
  }

  // The certificate marker, as the server renders it: days left while under the resource's threshold.
  function certMarker(li, days) {
    var el = li.querySelector(".ce");
    if (days === null) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("span");
      el.className = "ce";
      li.querySelector(".st").insertAdjacentElement("afterend", el);
    }
    el.title = "TLS certificate " + (days < 0 ? "expired" : "expires in " + days + " days");
    setText(li, ".ce", days < 0 ? "cert expired" : "cert " + days + " d");
  }

  // One update from the stream (full) or from polling (status, 24 h uptime and outage only).
  function apply(u) {
    var rec = recs[u.resourceId];
    if (!rec) {
      if (hooks.unknown) hooks.unknown(u); else if (pageAll) scheduleReload(1500);
      return;
    }
    rec.status = u.status || u.currentStatus || rec.status;
    rec.since = u.outageSince !== undefined ? u.outageSince : u.activeOutageSince;
    // The stream sends the streak; polling does not, but a resource that is not failing now is not failing.
    if (u.failStreak !== undefined) rec.failing = u.failStreak;
    else if (rec.status !== "not-available" || rec.since) rec.failing = 0;
    if (u.beats !== undefined && u.beats !== rec.hbCode) {
      rec.hbCode = u.beats;
      rec.hb = expandBeats(u.beats);
      repaintBeats(rec);
    }
    if (u.block) {
      shiftTo(rec, u.block.start);
      rec.tl = rec.tl.slice(0, N - 1) + u.block.status;
      delete details[rec.id];
      repaint(rec);
    }
    render(rec, u);
  }

  function afterUpdates() {
    if (!data.scaled) summary(); // above the threshold the page holds a few rows: the stream sends the counts
    applyFilter();
    tickOutages();
  }

  function summary() {
    var up = 0, down = 0, total = 0;
    Object.keys(recs).forEach(function (id) {
      total++;
      if (recs[id].status === "available") up++;
      else if (recs[id].status === "not-available") down++;
    });
    var el = document.getElementById("dash-summary"), text;
    if (!total) text = "No resources to show yet";
    else if (down) text = down + " resource" + (down === 1 ? "" : "s") + " not available";
    else if (!up) text = "Waiting for the first checks";
    else text = "All systems operational";
    if (el.textContent !== text) el.textContent = text;
    el.className = "dash-summary " + (down ? "down" : up ? "up" : "none");
  }

  function tickOutages() {
    var now = Date.now() + skew;
    board.querySelectorAll(".o[data-since]").forEach(function (el) {
      var since = Date.parse(el.dataset.since);
      el.textContent = "down since " + fmt.when(since) + " \u00b7 " + fmt.duration((now - since) / 1000);
    });
    // An announcement with an end takes itself down when the end passes, without a reload.
    document.querySelectorAll(".dash-announcement[data-until]").forEach(function (el) {
      if (Date.parse(el.dataset.until) <= now) el.remove();
    });
  }

  // -- filter, view, groups -------------------------------------------------------------------------------

  var search = document.getElementById("dash-search"), filter = document.getElementById("dash-filter");

  function applyFilter() {
    if (data.scaled) return; // the server filtered (dashboard-scale.js)
    var q = search.value.trim().toLowerCase(), f = filter.value, active = q || f !== "all";
    board.querySelectorAll(".grp").forEach(function (grp) {
      var shown = 0;
      grp.querySelectorAll("li.r").forEach(function (li) {
        var rec = recs[+li.dataset.id];
        var match = (!q || li._q.indexOf(q) >= 0) && (f === "all" || rec.status === f);
        li.classList.toggle("filtered", !match);
        if (match) shown++;
      });
      grp.querySelector(".grp-empty").hidden = !(active && shown === 0);
    });
  }

  function setView(chosen) {
    view = chosen;
    board.classList.toggle("view-cards", view === "cards");
    board.classList.toggle("view-heartbeat", view === "heartbeat");
    board.classList.toggle("view-timeline", view === "timeline");
    hideTip(null);
    // Rows already in view were painted for the other view: paint them again (the observer only fires on entry).
    board.querySelectorAll("li.r").forEach(function (li) {
      li._v = li._hv = undefined;
      if (!observer || li.querySelector(view === "heartbeat" ? ".tl" : ".hb").children.length) paint(li);
    });
    document.querySelectorAll(".dash-views [data-view]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.view === view));
    });
  }

  function collapsedSet() {
    try { return JSON.parse(store(KEY_COLLAPSED) || "[]"); } catch (e) { return []; }
  }

  function applyCollapsed() {
    if (data.scaled) return; // groups open and close in dashboard-scale.js
    var closed = collapsedSet();
    board.querySelectorAll(".grp").forEach(function (grp) {
      var isClosed = closed.indexOf(grp.dataset.gid) >= 0;
      grp.classList.toggle("collapsed", isClosed);
      grp.querySelector(".grp-toggle").setAttribute("aria-expanded", String(!isClosed));
    });
  }

  board.addEventListener("click", function (e) {
    var btn = e.target.closest(".grp-toggle");
    if (!btn || data.scaled) return;
    var gid = btn.closest(".grp").dataset.gid, closed = collapsedSet(), at = closed.indexOf(gid);
    if (at >= 0) closed.splice(at, 1); else closed.push(gid);
    store(KEY_COLLAPSED, JSON.stringify(closed));
    applyCollapsed();
  });
  if (!data.scaled) {
    search.addEventListener("input", applyFilter);
    filter.addEventListener("change", applyFilter);
  }
  document.querySelectorAll(".dash-views [data-view]").forEach(function (b) {
    b.addEventListener("click", function () { store(KEY_VIEW, b.dataset.view); setView(b.dataset.view); });
  });

  // -- tooltips -------------------------------------------------------------------------------------------

  function blocksOf(id) {
    if (!details[id]) {
      details[id] = window.Kairos.api("GET", "/api/resources/" + id + "/status-update?hours=24").then(function (body) {
        var byStart = {};
        body.timelineBlocks.forEach(function (b) { byStart[Math.round(Date.parse(b.timestamp) / 1000)] = b; });
        return byStart;
      });
      details[id].catch(function () { delete details[id]; });
    }
    return details[id];
  }

  function line(dl, name, value) {
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = name;
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function fillTip(rec, index, block) {
    var start = rec.edge - (N - 1 - index) * BLOCK, letter = rec.tl.charAt(index);
    var head = document.createElement("div"), dl = document.createElement("dl");
    head.className = "dash-tip-time";
    head.textContent = fmt.time(start * 1000) + " \u2013 " + fmt.time((start + BLOCK) * 1000).slice(11) + " " +
      fmt.zone(start * 1000);
    var state = document.createElement("div");
    state.textContent = LABEL[letter] || "No data";
    tip.textContent = "";
    tip.appendChild(head);
    tip.appendChild(state);
    if (block === undefined) {
      line(dl, "Counts", "loading\u2026");
    } else if (block && block.hasData) {
      line(dl, "Available", String(block.available));
      line(dl, "Not available", String(block.notAvailable));
      line(dl, "Unknown", String(block.unknown));
      line(dl, "Average latency", fmt.ms(block.latencyMs));
    } else {
      line(dl, "Checks", "0");
    }
    tip.appendChild(dl);
  }

  function showTip(li, index) {
    var rec = recs[+li.dataset.id], tl = li.querySelector(".tl");
    paint(li);
    var cell = tl.children[index];
    Array.prototype.forEach.call(tl.querySelectorAll(".cur"), function (c) { c.classList.remove("cur"); });
    cell.classList.add("cur");
    tl._cursor = index;
    var key = rec.id + ":" + index + ":" + rec.v;
    tipFor = key;
    fillTip(rec, index, undefined);
    tip.hidden = false;
    place(cell);
    blocksOf(rec.id).then(function (byStart) {
      if (tipFor !== key) return;
      fillTip(rec, index, byStart[rec.edge - (N - 1 - index) * BLOCK] || null);
      place(cell);
    }, function () { /* the tooltip keeps what it has */ });
  }

  function place(cell) {
    var r = cell.getBoundingClientRect(), w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.max(4, Math.min(window.innerWidth - w - 4, r.left + r.width / 2 - w / 2));
    var top = r.top - h - 8 < 4 ? r.bottom + 8 : r.top - h - 8;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  function hideTip(tl) {
    tipFor = null;
    tip.hidden = true;
    if (tl) Array.prototype.forEach.call(tl.querySelectorAll(".cur"), function (c) { c.classList.remove("cur"); });
  }

  function beatsOf(id) {
    if (!beatInfo[id]) {
      beatInfo[id] = window.Kairos.api("GET", "/api/resources/" + id + "/recent");
      beatInfo[id].catch(function () { delete beatInfo[id]; });
    }
    return beatInfo[id];
  }

  // Each mark's title: when, status, latency and what was wrong. Fetched once per resource until a check comes in.
  function titleBeats(li) {
    var rec = recs[+li.dataset.id], hb = li.querySelector(".hb"), hv = rec.hv;
    if (hb._titled === hv) return;
    hb._titled = hv;
    beatsOf(rec.id).then(function (body) {
      if (rec.hv !== hv) return;
      var marks = hb.children, pad = marks.length - body.checks.length;
      body.checks.forEach(function (c, i) {
        var mark = marks[pad + i];
        if (mark) mark.title = fmt.time(Date.parse(c.checkedAt)) + " \u00b7 " + (STATUS_TEXT[c.status] || c.status) +
          " \u00b7 " + fmt.ms(c.latencyMs) + " \u00b7 " + c.message;
      });
    }, function () { hb._titled = undefined; });
  }

  board.addEventListener("mouseover", function (e) {
    var bar = e.target.closest && e.target.closest(".hb");
    if (bar) { titleBeats(bar.closest("li.r")); return; }
    var cell = e.target.parentElement && e.target.parentElement.classList.contains("tl") ? e.target : null;
    if (cell) showTip(cell.closest("li.r"), Array.prototype.indexOf.call(cell.parentElement.children, cell));
  });
  board.addEventListener("mouseout", function (e) {
    var tl = e.target.closest && e.target.closest(".tl");
    if (tl && !tl.contains(e.relatedTarget) && document.activeElement !== tl) hideTip(tl);
  });
  board.addEventListener("focusin", function (e) {
    if (e.target.classList.contains("tl")) {
      e.target.setAttribute("aria-describedby", "dash-tip");
      showTip(e.target.closest("li.r"), N - 1);
    }
  });
  board.addEventListener("focusout", function (e) {
    if (e.target.classList.contains("tl")) hideTip(e.target);
  });
  board.addEventListener("keydown", function (e) {
    var tl = e.target;
    if (!tl.classList || !tl.classList.contains("tl")) return;
    var i = tl._cursor === undefined ? N - 1 : tl._cursor;
    var next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: N - 1 }[e.key];
    if (e.key === "Escape") { hideTip(tl); return; }
    if (next === undefined) return;
    e.preventDefault();
    showTip(tl.closest("li.r"), Math.max(0, Math.min(N - 1, next)));
  });

  // -- live updates ---------------------------------------------------------------------------------------

  function note(text) { if (liveNote) liveNote.textContent = text; }

  // Re-reads every resource's status, 24 h uptime and outage (cheap: no timelines).
  function resync() {
    if (data.scaled) { scheduleReload(0); return Promise.resolve(); } // the page and its open groups again
    return window.Kairos.api("GET", "/api/resources/status-updates?includeTimeline=false").then(function (list) {
      var seen = {};
      list.forEach(function (u) { seen[u.resourceId] = true; if (recs[u.resourceId] || pageAll) apply(u); });
      if (pageAll && Object.keys(recs).some(function (id) { return !seen[id]; })) scheduleReload(0);
      afterUpdates();
    }, function () { note("updates paused: the server is not reachable"); });
  }

  // New or deleted resources, or a long pause: fetch the page again and swap the board in place.
  function scheduleReload(delay) {
    if (reloadTimer) return;
    reloadTimer = setTimeout(function () {
      reloadTimer = null;
      fetch(window.location.pathname + window.location.search, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status));
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("dash-board"), freshData = doc.getElementById("dash-data");
        if (!fresh || !freshData) return;
        board.querySelectorAll("li.r").forEach(release);
        board.innerHTML = fresh.innerHTML;
        document.getElementById("dash-data").textContent = freshData.textContent;
        details = {};
        init();
        summary();
      }).catch(function () { /* the next update or poll tries again */ });
    }, delay);
  }

  function connect() {
    if (source || pollTimer || document.hidden) return;
    if (!window.EventSource) { startPolling(); return; }
    var failures = 0;
    source = new EventSource(data.stream + (hooks.streamQuery ? hooks.streamQuery() : ""));
    source.addEventListener("open", function () {
      failures = 0;
      document.documentElement.dataset.live = "open";
      if (window.performance && performance.mark) performance.mark("kairos-stream-open");
      note("live");
      if (opens++ > 0) resync(); // missed results while reconnecting
    });
    source.addEventListener("status", function (e) { enqueue(JSON.parse(e.data)); });
    source.addEventListener("summary", function (e) { if (hooks.summary) hooks.summary(JSON.parse(e.data)); });
    source.addEventListener("resync", resync);
    source.addEventListener("error", function () {
      failures++;
      document.documentElement.dataset.live = "down";
      // The browser retries by itself; after a refusal (CLOSED) or repeated failures, poll instead.
      if (source.readyState === EventSource.CLOSED || failures >= 3) {
        source.close();
        source = null;
        startPolling();
      }
    });
  }

  // Updates are applied in animation frames, a bounded number each, so a burst of a thousand changes never
  // holds the main thread in one long task; the filter and counters are refreshed once the queue is empty.
  var queue = [], frame = 0, PER_FRAME = 250;

  function enqueue(list) {
    Array.prototype.push.apply(queue, list);
    if (!frame) frame = window.requestAnimationFrame(drain);
  }

  function drain() {
    frame = 0;
    queue.splice(0, PER_FRAME).forEach(apply);
    if (queue.length) frame = window.requestAnimationFrame(drain);
    else afterUpdates();
  }

  // The scoped stream names the open groups in its URL: a page that opens or closes one reconnects.
  function reconnect() {
    if (source) { source.close(); source = null; }
    opens = 0;
    connect();
  }

  function startPolling() {
    if (pollTimer) return;
    note("updates every 30 s");
    var rounds = 0;
    pollTimer = setInterval(function () {
      rounds++;
      if (rounds % 10 === 0) scheduleReload(0); else resync(); // timelines every 5 minutes
      if (rounds % 4 === 0 && window.EventSource) { stopLive(); connect(); } // try the stream again
    }, 30000);
  }

  function stopLive() {
    if (source) { source.close(); source = null; }
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      hiddenAt = Date.now();
      stopLive();
      return;
    }
    if (Date.now() - hiddenAt > 60000) scheduleReload(0); else resync();
    opens = 0; // the resync above covers the gap; the reconnect need not do it again
    connect();
  });

  // -- start ------------------------------------------------------------------------------------------------

  // What dashboard-scale.js (the board above its collapse threshold) plugs in, and what it may call.
  window.Kairos.dashboard = {
    hooks: hooks, adopt: function (li, edge) { adopt(li, edge); }, release: release, reconnect: reconnect,
    reload: scheduleReload, data: function () { return data; }, apply: function (list) { enqueue(list); }
  };
  if (!data.scaled) connect(); // first: the stream's handshake overlaps with drawing the board
  init();
  var saved = store(KEY_VIEW);
  setView(saved === "cards" || saved === "heartbeat" ? saved : "timeline");
  document.getElementById("dash-toolbar").hidden = false;
  setInterval(tickOutages, 1000);
  setInterval(advanceAll, 60000);
})();

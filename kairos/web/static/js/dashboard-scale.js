// The status board above its collapse threshold (docs/dashboard.md): groups arrive collapsed with their
// counts; opening one loads its rows from /dashboard/rows (200 at a time, "Show more" for the next), and the
// open groups are remembered. Search and the status filter are answered by the server: the board is fetched
// again with ?q=&status= and swapped in. The live stream is scoped to the open groups and sends the counts
// (dashboard.js applies rows; this file the counts). Without JavaScript the group headers link to the groups'
// own pages and the toolbar is a plain GET form.
(function () {
  "use strict";
  var api = window.Kairos && window.Kairos.dashboard;
  var board = document.getElementById("dash-board");
  if (!api || !board || !api.data().scaled) return;
  var KEY_OPEN = "kairos.dashboard.open";
  var loading = {}; // group id -> true while its rows are on the way
  var problemsTimer = null, filterTimer = null;

  function store(value) {
    try {
      if (value === undefined) return JSON.parse(window.localStorage.getItem(KEY_OPEN) || "[]");
      window.localStorage.setItem(KEY_OPEN, JSON.stringify(value));
    } catch (e) { /* storage disabled: open groups last for this page only */ }
    return [];
  }

  function sections() {
    return Array.prototype.slice.call(board.querySelectorAll(".grp[data-gid]")).filter(function (g) {
      return g.dataset.gid !== "problems";
    });
  }

  function openIds() {
    return sections().filter(function (g) { return !g.classList.contains("collapsed"); })
      .map(function (g) { return g.dataset.gid; });
  }

  function filterQuery() {
    var d = api.data(), parts = [];
    if (d.q) parts.push("q=" + encodeURIComponent(d.q));
    if (d.status) parts.push("status=" + encodeURIComponent(d.status));
    return parts.join("&");
  }

  // -- groups -------------------------------------------------------------------------------------------------

  function moreButton(grp, next) {
    var old = grp.querySelector(".grp-pager");
    if (old) old.remove();
    if (next === undefined) return;
    var p = document.createElement("p"), btn = document.createElement("button");
    p.className = "small grp-pager";
    btn.type = "button";
    btn.className = "btn btn-sm grp-more-js";
    btn.dataset.next = next;
    var left = +grp.dataset.matched - +next;
    btn.textContent = "Show more (" + left + " of " + grp.dataset.matched + " left)";
    p.appendChild(btn);
    grp.querySelector(".rows").insertAdjacentElement("afterend", p);
  }

  // The column header of an opened group (collapsed ones leave it out: a thousand of them add up).
  function columns() {
    var cols = document.createElement("div");
    cols.className = "cols";
    cols.setAttribute("aria-hidden", "true");
    ["Resource", "Last 24 hours", "24 h", "7 d", "30 d", "Latency"].forEach(function (text) {
      var span = document.createElement("span");
      span.textContent = text;
      cols.appendChild(span);
    });
    return cols;
  }

  function load(grp, offset) {
    var gid = grp.dataset.gid;
    if (loading[gid]) return Promise.resolve();
    loading[gid] = true;
    grp.setAttribute("aria-busy", "true");
    var q = filterQuery(), url = api.data().rows + "?group=" + encodeURIComponent(gid) + "&offset=" + offset + (q ? "&" + q : "");
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status));
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html"), fresh = doc.querySelector("ul.rows");
      var list = grp.querySelector(".rows");
      if (!fresh || grp.classList.contains("collapsed")) return;
      if (!offset) {
        list.querySelectorAll("li.r").forEach(api.release);
        list.textContent = "";
      }
      var edge = +fresh.dataset.edge;
      Array.prototype.slice.call(fresh.children).forEach(function (li) {
        list.appendChild(document.importNode(li, true));
        api.adopt(list.lastElementChild, edge);
      });
      if (!grp.querySelector(".cols")) list.insertAdjacentElement("beforebegin", columns());
      grp.classList.remove("lazy");
      grp.dataset.matched = fresh.dataset.matched;
      moreButton(grp, fresh.dataset.next);
    }).catch(function () {
      grp.classList.add("lazy"); // opened again, it tries again
    }).then(function () {
      delete loading[gid];
      grp.removeAttribute("aria-busy");
    });
  }

  function setOpen(grp, open) {
    grp.classList.toggle("collapsed", !open);
    grp.querySelector(".grp-toggle").setAttribute("aria-expanded", String(open));
    if (open && grp.classList.contains("lazy")) return load(grp, 0);
    if (!open) {
      var list = grp.querySelector(".rows");
      list.querySelectorAll("li.r").forEach(api.release);
      list.textContent = ""; // a closed group keeps no rows: the page stays small whatever was opened
      grp.classList.add("lazy");
      moreButton(grp, undefined);
    }
    return Promise.resolve();
  }

  function remember() {
    var open = store(), shown = sections().map(function (g) { return g.dataset.gid; });
    // Groups not on this page (filtered out) keep their choice; the ones shown say theirs.
    open = open.filter(function (gid) { return shown.indexOf(gid) < 0; }).concat(openIds());
    store(open.slice(-50));
  }

  // The next page of group headers (past the first 100), appended in place.
  function moreGroups(link) {
    var pager = link.closest(".grp-more-groups");
    link.setAttribute("aria-disabled", "true");
    fetch(link.href, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status));
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html"), fresh = doc.getElementById("dash-board");
      var data = JSON.parse(doc.getElementById("dash-data").textContent), open = store();
      if (!fresh) return;
      fresh.querySelectorAll(".grp").forEach(function (g) {
        if (g.dataset.gid === "problems") return;
        var grp = document.importNode(g, true);
        pager.insertAdjacentElement("beforebegin", grp);
        grp.querySelectorAll("li.r").forEach(function (li) { api.adopt(li, data.edge); });
        grp.querySelectorAll(".grp-bar").forEach(paintBar);
        if (grp.classList.contains("collapsed") && open.indexOf(grp.dataset.gid) >= 0) setOpen(grp, true);
      });
      var next = fresh.querySelector(".grp-more-groups");
      if (next) pager.replaceWith(document.importNode(next, true)); else pager.remove();
      api.reconnect();
    }).catch(function () { link.removeAttribute("aria-disabled"); });
  }

  board.addEventListener("click", function (e) {
    var groupsLink = e.target.closest(".grp-more-groups a");
    if (groupsLink) { e.preventDefault(); moreGroups(groupsLink); return; }
    var more = e.target.closest(".grp-more-js");
    if (more) { load(more.closest(".grp"), +more.dataset.next); return; }
    var btn = e.target.closest(".grp-toggle");
    if (!btn) return;
    var grp = btn.closest(".grp");
    setOpen(grp, grp.classList.contains("collapsed"));
    remember();
    api.reconnect(); // the stream sends rows of the open groups only
  });

  // -- counts -------------------------------------------------------------------------------------------------

  function paintBar(bar) {
    var up = +bar.dataset.up, down = +bar.dataset.down, total = up + down + +bar.dataset.unknown;
    if (!total) return;
    var a = (100 * up / total).toFixed(2) + "%", b = (100 * (up + down) / total).toFixed(2) + "%";
    // Drawn by script (CSSOM), not by a style attribute: the CSP allows no inline style.
    bar.style.background = "linear-gradient(to right, var(--up) 0 " + a + ", var(--down) " + a + " " + b +
      ", var(--unknown) " + b + " 100%)";
  }

  function countsText(c, noun) {
    return c.total + " " + noun + " \u00b7 " + c.up + " available \u00b7 " + c.down + " not available" +
      (c.failing ? " (" + c.failing + " failing)" : "") + " \u00b7 " + c.unknown + " unknown" +
      (c.maintenance ? " \u00b7 " + c.maintenance + " in maintenance" : "");
  }

  function onSummary(s) {
    var all = s.total, line = document.getElementById("dash-counts"), el = document.getElementById("dash-summary");
    if (line) line.textContent = countsText(all, "resources");
    var text = !all.total ? "No resources to show yet"
      : all.down ? all.down + " resource" + (all.down === 1 ? "" : "s") + " not available"
      : all.unknown === all.total ? "Waiting for the first checks" : "All systems operational";
    if (el.textContent !== text) el.textContent = text;
    el.className = "dash-summary " + (all.down ? "down" : all.up ? "up" : "none");
    Object.keys(s.groups).forEach(function (gid) {
      var grp = board.querySelector('.grp[data-gid="' + gid + '"]'), c = s.groups[gid];
      if (!grp) return;
      var counts = grp.querySelector(".grp-counts"), bar = grp.querySelector(".grp-bar");
      if (counts && !api.data().q && !api.data().status) counts.textContent = countsText(c, "members");
      if (bar) {
        bar.dataset.up = c.up; bar.dataset.down = c.down; bar.dataset.unknown = c.unknown;
        bar.setAttribute("aria-label", c.up + " available, " + c.down + " not available, " + c.unknown + " unknown");
        paintBar(bar);
      }
    });
  }

  // A resource without a row went down (or one in "Problems" came back): fetch the page's problems again.
  function onUnknown(u) {
    if (u.status !== "not-available" || api.data().q || api.data().status || problemsTimer) return;
    problemsTimer = setTimeout(function () { problemsTimer = null; api.reload(0); }, 2000);
  }

  // -- server-side search and filter ---------------------------------------------------------------------------

  var form = document.getElementById("dash-toolbar"), search = document.getElementById("dash-search");
  var select = document.getElementById("dash-filter");

  function runFilter() {
    var q = search.value.trim(), status = select.value === "all" ? "" : select.value, parts = [];
    if (q) parts.push("q=" + encodeURIComponent(q));
    if (status) parts.push("status=" + encodeURIComponent(status));
    var url = window.location.pathname + (parts.length ? "?" + parts.join("&") : "");
    window.history.replaceState(null, "", url);
    api.reload(0); // fetches location.pathname + search and swaps the board and its data in
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); runFilter(); });
  search.addEventListener("input", function () {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(runFilter, 300); // one request once typing pauses, not one per key
  });
  select.addEventListener("change", runFilter);

  // -- start --------------------------------------------------------------------------------------------------

  function afterInit() {
    board.querySelectorAll(".grp-bar").forEach(paintBar);
    var open = store(), d = api.data();
    sections().forEach(function (grp) {
      if (grp.classList.contains("collapsed") && open.indexOf(grp.dataset.gid) >= 0) setOpen(grp, true);
    });
    if (search.value !== d.q && document.activeElement !== search) search.value = d.q || "";
    api.reconnect();
  }

  api.hooks.streamQuery = function () { return "?summary=true&groups=" + openIds().join(","); };
  api.hooks.summary = onSummary;
  api.hooks.unknown = onUnknown;
  api.hooks.afterInit = afterInit;
  afterInit();
})();

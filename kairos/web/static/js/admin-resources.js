// /admin/resources: "check now" shows the fresh verdict inline, delete asks in a dialog, and the selection for
// bulk actions is kept across pages, with a "select all" box, "select all matching this filter" and a count.
// Without JavaScript all of it still works: the check form posts and the list shows the result; the delete link
// opens a confirmation page; the boxes of the page shown are sent, and "Apply to all N matching" acts on the
// filter.
(function () {
  "use strict";

  var el = Kairos.el;

  // "check now" answers in the API's resource shape; the shared verdict block takes the instant check's.
  function verdict(r) {
    return Kairos.verdict({
      status: r.status, errorCode: r.errorCode, latencyMs: r.latencyMs, httpStatus: r.httpStatus, message: r.message,
      phases: { dnsMs: r.dnsResolutionMs, proxyMs: r.proxyMs, connectMs: r.connectMs, tlsMs: r.tlsHandshakeMs,
        firstByteMs: r.timeToFirstByteMs, totalMs: r.latencyMs },
    });
  }

  function showIn(id, node) {
    var row = document.getElementById("result-" + id);
    if (!row) return;
    var slot = row.querySelector(".result");
    slot.replaceChildren(node);
    row.hidden = false;
  }

  async function checkNow(form) {
    var id = form.dataset.resourceId;
    var button = form.querySelector("button");
    button.disabled = true;
    showIn(id, el("p", "muted", "Checking\u2026"));
    try {
      var result = await Kairos.api("POST", "/api/resources/" + id + "/check");
      showIn(id, verdict(result));
      var dot = document.querySelector('tr[data-resource-id="' + id + '"] .dot');
      if (dot) {
        dot.className = "dot " + result.currentStatus;
        dot.title = result.currentStatus;
      }
    } catch (error) {
      showIn(id, el("p", "field-error", "The check could not run: " + error.message));
    } finally {
      button.disabled = false;
    }
  }

  document.querySelectorAll("form.js-check").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      checkNow(form);
    });
  });

  // The selection for bulk actions outlives the page: ids ticked on page 1 stay selected on page 2 (kept in
  // sessionStorage, per tab), or "all matching this filter", which the server evaluates again on confirmation.
  var bulkForm = document.getElementById("bulk-form");
  var KEY = "kairos.console.resources.selection";
  var MAX_IDS = 1000;  // what one request may name (kairos/services/resource_bulk.py MAX_IDS)

  function load() {
    try {
      var stored = JSON.parse(sessionStorage.getItem(KEY) || "null");
      if (stored && Array.isArray(stored.ids)) {
        return {
          ids: stored.ids.filter(function (i) { return Number.isInteger(i) && i > 0; }),
          filter: typeof stored.filter === "string" ? stored.filter : null,
        };
      }
    } catch (error) { /* unreadable: start afresh */ }
    return { ids: [], filter: null };
  }

  function save(selection) {
    try { sessionStorage.setItem(KEY, JSON.stringify(selection)); } catch (error) { /* storage full or off */ }
  }

  var params = new URLSearchParams(location.search);
  if (params.has("bulk")) {  // an action was done: the selection starts afresh
    try { sessionStorage.removeItem(KEY); } catch (error) { /* storage off */ }
    // ... once: coming back to this address later (or reloading it) must not clear a newer selection.
    params.delete("bulk");
    params.delete("n");
    history.replaceState(history.state, "", location.pathname + (params.toString() ? "?" + params : ""));
  }

  var all = document.getElementById("select-all");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.select-one"));
  var count = document.getElementById("bulk-count");
  var bar = document.getElementById("selection");
  var matchingButton = document.getElementById("select-matching");
  var filter = bulkForm ? bulkForm.dataset.filter : "";
  var matched = bulkForm ? Number(bulkForm.dataset.matched) : 0;
  var selection = load();
  if (selection.filter !== null && selection.filter !== filter) selection.filter = null;  // another filter's

  function idOf(box) { return Number(box.value); }

  function show() {
    var byFilter = selection.filter !== null;
    var chosen = new Set(selection.ids);
    boxes.forEach(function (b) { b.checked = byFilter || chosen.has(idOf(b)); });
    var onPage = boxes.filter(function (b) { return b.checked; }).length;
    if (count) {
      count.textContent = byFilter ? "All " + matched + " matching this filter selected"
        : selection.ids.length ? selection.ids.length + " selected" : "";
    }
    if (bar) bar.hidden = !byFilter && selection.ids.length === 0;
    if (matchingButton) {
      matchingButton.hidden = byFilter || matched <= boxes.length || onPage < boxes.length || !boxes.length;
    }
    if (all) {
      all.checked = onPage > 0 && onPage === boxes.length;
      all.indeterminate = onPage > 0 && onPage < boxes.length;
    }
  }

  function tick(ids, on) {
    if (selection.filter !== null) {  // unticking out of "all matching" keeps what this page shows
      selection = { ids: boxes.map(idOf), filter: null };
    }
    var chosen = new Set(selection.ids);
    ids.forEach(function (id) { if (on) chosen.add(id); else chosen.delete(id); });
    selection.ids = Array.from(chosen);
    save(selection);
    show();
  }

  if (bulkForm) {
    var noScript = document.getElementById("apply-matching");
    if (noScript) noScript.hidden = true;  // with JavaScript, "select all matching" does this
    if (all && boxes.length) {
      all.hidden = false;  // without JavaScript each box is ticked by hand
      all.addEventListener("change", function () { tick(boxes.map(idOf), all.checked); });
    }
    boxes.forEach(function (b) { b.addEventListener("change", function () { tick([idOf(b)], b.checked); }); });
    if (matchingButton) {
      matchingButton.addEventListener("click", function () {
        selection = { ids: [], filter: filter };
        save(selection);
        show();
      });
    }
    document.getElementById("selection-clear").addEventListener("click", function () {
      selection = { ids: [], filter: null };
      save(selection);
      show();
    });
    bulkForm.addEventListener("submit", function (event) {
      bulkForm.querySelectorAll("input.carried").forEach(function (input) { input.remove(); });
      function carry(name, value) {
        var input = el("input", "carried");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        bulkForm.appendChild(input);
      }
      if (selection.filter !== null) {
        carry("scope", "filter");
        return;
      }
      if (selection.ids.length > MAX_IDS) {
        event.preventDefault();
        count.textContent = selection.ids.length + " selected: one action takes at most " + MAX_IDS +
          "; select fewer, or select all matching a filter.";
        return;
      }
      var here = new Set(boxes.map(idOf));
      selection.ids.forEach(function (id) { if (!here.has(id)) carry("ids", String(id)); });
    });
    window.addEventListener("pageshow", function () {  // back to this page: another tab's page may have changed it
      selection = load();
      if (selection.filter !== null && selection.filter !== filter) selection.filter = null;
      show();
    });
    show();
  }

  var dialog = document.getElementById("delete-dialog");
  if (dialog && typeof dialog.showModal === "function") {
    var form = dialog.querySelector("form");
    document.getElementById("delete-cancel").addEventListener("click", function () { dialog.close(); });
    document.querySelectorAll("a.js-delete").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        form.action = link.getAttribute("href");
        dialog.querySelector(".delete-name").textContent = link.dataset.name;
        dialog.showModal();
        document.getElementById("delete-cancel").focus();
      });
    });
  }
})();

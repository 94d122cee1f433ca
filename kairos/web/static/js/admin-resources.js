// /admin/resources: "check now" shows the fresh verdict inline, delete asks in a dialog, and the selection for
// bulk actions gets a "select all" box and a count.
// Without JavaScript both still work: the check form posts and the list shows the result; the delete link
// opens a confirmation page.
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

  var all = document.getElementById("select-all");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.select-one"));
  var count = document.getElementById("bulk-count");
  function counted() {
    var chosen = boxes.filter(function (b) { return b.checked; }).length;
    if (count) count.textContent = chosen ? chosen + " selected" : "";
    if (all) {
      all.checked = chosen > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
  }
  if (all && boxes.length) {
    all.hidden = false;  // without JavaScript each box is ticked by hand
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      counted();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", counted); });

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

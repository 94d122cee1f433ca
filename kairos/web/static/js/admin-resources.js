// /admin/resources: "check now" shows the fresh verdict inline, and delete asks in a dialog.
// Without JavaScript both still work: the check form posts and the list shows the result; the delete link
// opens a confirmation page.
(function () {
  "use strict";

  var PHASES = [["dnsResolutionMs", "DNS"], ["connectMs", "Connect"], ["tlsHandshakeMs", "TLS"],
    ["timeToFirstByteMs", "First byte"], ["latencyMs", "Total"]];
  var CLASSES = { AVAILABLE: "available", NOT_AVAILABLE: "not-available" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // The verdict block, the same markup as the server's verdict() macro.
  function verdict(r) {
    var cls = CLASSES[r.status] || "unknown";
    var box = el("div", "verdict " + cls);
    var head = el("p", "verdict-head");
    var dot = el("span", "dot " + cls);
    dot.setAttribute("aria-hidden", "true");
    head.append(dot, el("strong", "verdict-status", r.status.replace("_", " ")));
    if (r.errorCode) head.append(" ", el("code", "verdict-code", r.errorCode));
    head.append(" ", el("span", "verdict-latency", Kairos.fmt.ms(r.latencyMs)));
    if (r.httpStatus) head.append(" ", el("span", "badge", "HTTP " + r.httpStatus));
    box.append(head, el("p", "verdict-message", r.message));
    var dl = el("dl", "phases");
    PHASES.forEach(function (p) {
      if (r[p[0]] === null || r[p[0]] === undefined) return;
      var item = el("div");
      var dd = el("dd", null, Kairos.fmt.ms(r[p[0]]));
      dd.dataset.phase = p[0];
      item.append(el("dt", null, p[1]), dd);
      dl.append(item);
    });
    if (dl.children.length) box.append(dl);
    return box;
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

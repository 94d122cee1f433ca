// The verdict of one check as a DOM block: the same markup as the server's verdict() macro
// (admin/resource_macros.html). Used by "check now" on /admin/resources and by the instant check.
(function () {
  "use strict";

  var PHASES = [["dnsMs", "DNS"], ["proxyMs", "Proxy"], ["connectMs", "Connect"], ["tlsMs", "TLS"],
    ["firstByteMs", "First byte"], ["totalMs", "Total"]];
  var CLASSES = { AVAILABLE: "available", NOT_AVAILABLE: "not-available", MAINTENANCE: "maintenance" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // ``r`` has the instant check's shape: status, errorCode, latencyMs, httpStatus, message and
  // phases {dnsMs, proxyMs, connectMs, tlsMs, firstByteMs, totalMs} (proxyMs only through a proxy).
  function verdict(r) {
    var cls = CLASSES[r.status] || "unknown";
    var box = el("div", "verdict " + cls);
    var head = el("p", "verdict-head");
    var dot = el("span", "dot " + cls);
    dot.setAttribute("aria-hidden", "true");
    head.append(dot, el("strong", "verdict-status", r.status.replace("_", " ")));
    if (r.errorCode) head.append(" ", el("code", "verdict-code", r.errorCode));
    // a time only when the target answered: a refusal's 0.3 ms is no latency (kairos/web/reasons.py)
    if (r.status === "AVAILABLE" || (r.status === "NOT_AVAILABLE" && r.httpStatus)) {
      head.append(" ", el("span", "verdict-latency", "took " + Kairos.fmt.ms(r.latencyMs)));
    }
    if (r.httpStatus) head.append(" ", el("span", "badge", "HTTP " + r.httpStatus));
    box.append(head, el("p", "verdict-message", r.message));
    var phases = el("dl", "phases");
    PHASES.forEach(function (p) {
      var value = (r.phases || {})[p[0]];
      if (value === null || value === undefined) return;
      var item = el("div");
      var dd = el("dd", null, Kairos.fmt.ms(value));
      dd.dataset.phase = p[0];
      item.append(el("dt", null, p[1]), dd);
      phases.append(item);
    });
    if (phases.children.length) box.append(phases);
    return box;
  }

  window.Kairos.el = el;
  window.Kairos.verdict = verdict;
})();

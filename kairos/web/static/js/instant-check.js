// /admin/instant-check: shows only the chosen kind's options, runs the check through the API and shows the
// verdict with its phases, then offers "Track as resource". Without JavaScript the form posts to the page.
(function () {
  "use strict";

  var form = document.getElementById("instant-form");
  if (!form) return;
  var kindSelect = document.getElementById("resourceType");
  var resultBox = document.getElementById("instant-result");
  var hints = JSON.parse(document.getElementById("target-hints").textContent);
  var DETAILS = [["digest", "Digest"], ["mediaType", "Media type"], ["platforms", "Platforms"],
    ["layerCount", "Layers"], ["totalSize", "Size (bytes)"], ["requests", "Requests"], ["final_url", "Final URL"],
    ["redirects", "Redirects"], ["address", "Address"]];

  var el = Kairos.el;

  function showKind() {
    var kind = kindSelect.value;
    form.querySelectorAll(".kind-only").forEach(function (box) {
      box.hidden = box.dataset.kinds.split(" ").indexOf(kind) < 0;
    });
    var hint = document.getElementById("target-hint");
    if (hint) hint.textContent = hints[kind] || "";
  }

  // The chosen kind's options as the API takes them; empty fields are left out (the kind's default).
  function options(kind) {
    var out = {};
    var box = form.querySelector('fieldset[data-kinds="' + kind + '"]');
    if (!box) return out;
    box.querySelectorAll("[name^='options.']").forEach(function (input) {
      var name = input.name.slice("options.".length);
      var value = input.value.trim();
      if (input.type === "checkbox") out[name] = input.checked;
      else if (value === "") return;
      else if (name === "acceptedStatusCodes") out[name] = value.split(/[,\s]+/).filter(Boolean);
      else if (name === "headers") {
        out[name] = {};
        value.split("\n").forEach(function (line) {
          var at = line.indexOf(":");
          if (line.trim()) out[name][at > 0 ? line.slice(0, at).trim() : line.trim()] = at > 0 ? line.slice(at + 1).trim() : "";
        });
      } else if (value === "true" || value === "false") out[name] = value === "true";
      else if (/^\d+$/.test(value)) out[name] = Number(value);
      else out[name] = value;
    });
    return out;
  }

  function body() {
    var kind = kindSelect.value;
    var data = { resourceType: kind, target: form.elements.target.value, options: options(kind) };
    // Only kinds that use TLS show the switch (the page lists them on its box).
    if (!form.elements.skipTLS.closest(".kind-only").hidden) data.skipTLS = form.elements.skipTLS.checked;
    var timeout = form.elements.timeoutSeconds.value.trim();
    if (timeout) data.timeoutSeconds = isNaN(Number(timeout)) ? timeout : Number(timeout);
    var credential = form.elements.credentialId ? form.elements.credentialId.value : "";
    if (credential) data.credentialId = Number(credential);
    return data;
  }

  function clearErrors() {
    form.querySelectorAll(".field-error.js").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid='true']").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    form.querySelectorAll(".field.invalid").forEach(function (node) { node.classList.remove("invalid"); });
  }

  // The API names the refused field (`options.maxRedirects`); put its message next to that input.
  function showError(error) {
    var field = (error.field || "").replace(/\[.*$/, "");
    var input = field.indexOf("options.") === 0
      ? document.getElementById("ic-" + kindSelect.value.toLowerCase() + "-" + field.slice(8))
      : document.getElementById(field);
    var message = el("p", "field-error js", error.message);
    if (!input) {
      message.id = "form-error";
      form.append(message);
      return;
    }
    message.id = input.id + "-error";
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", message.id);
    var holder = input.closest(".field") || input.parentNode;
    holder.classList.add("invalid");
    holder.append(message);
    input.focus();
  }

  function verdict(r) {
    var box = Kairos.verdict(r);
    var details = el("dl", "details");
    DETAILS.forEach(function (d) {
      var value = r.details[d[0]];
      if (value === null || value === undefined) return;
      details.append(el("dt", null, d[1]), el("dd", "mono", Array.isArray(value) ? value.join(", ") : String(value)));
    });
    if (details.children.length) box.append(details);
    return box;
  }

  function showTrack(data) {
    var link = document.getElementById("track");
    if (form.dataset.admin !== "true") return;
    var query = new URLSearchParams({ kind: data.resourceType, target: data.target.trim(), name: data.target.trim() });
    link.href = "/admin/resources/new?" + query.toString();
    link.parentNode.hidden = false;
  }

  async function run(event) {
    event.preventDefault();
    clearErrors();
    var data = body();
    var button = document.getElementById("run");
    var slot = resultBox.querySelector(".result-body");
    button.disabled = true;
    resultBox.hidden = false;
    document.getElementById("track").parentNode.hidden = true;
    slot.replaceChildren(el("p", "muted", "Checking\u2026"));
    try {
      var result = await Kairos.api("POST", "/api/instant-check", data);
      slot.replaceChildren(verdict(result));
      showTrack(data);
    } catch (error) {
      slot.replaceChildren(el("p", "muted", "The check did not run."));
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  kindSelect.addEventListener("change", showKind);
  form.addEventListener("submit", run);
  showKind();
})();

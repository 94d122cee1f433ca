// Tag chips: their colour (#rrggbb, checked by the server) as a CSS variable, set through the CSSOM, which the
// page's CSP allows where a style attribute would be refused.
"use strict";
(function () {
  const colour = /^#[0-9a-f]{6}$/;
  for (const chip of document.querySelectorAll(".tag[data-colour]")) {
    const value = chip.dataset.colour;
    if (colour.test(value)) chip.style.setProperty("--tag", value);
  }
})();

// Starts ReDoc on /api/redoc with the OpenAPI document named by the page (no inline script: see our CSP).
(function () {
  "use strict";
  var element = document.getElementById("redoc");
  Redoc.init(element.dataset.specUrl, {}, element);
})();

// Starts Swagger UI on /api: what FastAPI's stock page does in an inline script, which our CSP refuses.
// The settings come from the JSON block the server wrote (kairos/web/routes/api_docs.py).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-config").textContent);
  var options = Object.assign({}, config.parameters, {
    url: config.url,
    oauth2RedirectUrl: window.location.origin + config.oauth2RedirectPath,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
  window.ui = SwaggerUIBundle(options);
})();

// Starts Swagger UI on /api/docs/ from the data attributes the page carries, so the page
// needs no inline script under the site's Content-Security-Policy.
"use strict";

(function () {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  const settings = JSON.parse(root.dataset.settings || "{}");
  const csrfHeader = root.dataset.csrfHeader;
  const csrfToken = root.dataset.csrfToken;

  // "Try it out" with a browser session: unsafe methods need Django's CSRF header.
  const requestInterceptor = (request) => {
    if (!["GET", "HEAD", undefined].includes(request.method) && csrfHeader && csrfToken) {
      request.headers[csrfHeader] = csrfToken;
    }
    return request;
  };

  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor,
    ...settings,
  });
})();

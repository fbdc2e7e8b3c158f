// Starts Swagger UI on /v1/docs. A file rather than an inline script, so the page runs under the
// default `script-src 'self'` policy. Copied to /v1/docs/assets/ by scripts/build-docs-assets.mjs.
(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The default validator badge is an image from another origin.
    validatorUrl: null,
  });
})();

// The interactive API docs at /docs: Swagger UI (vendored) over the app's own /openapi.json.
// A file, not an inline script, so that the app's Content-Security-Policy holds here too.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});

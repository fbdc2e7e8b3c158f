import { DEFAULT_HTML_CSP } from "../../middleware/security-headers";
import type { App } from "../../types";

/**
 * Where the Worker's static assets put Swagger UI and Redoc (scripts/build-docs-assets.mjs fills
 * workers/assets/ from node_modules). Same origin, no CDN: the pages work offline
 * (docs/adr/0012-offline-api-docs.md).
 */
export const DOCS_ASSETS = "/v1/docs/assets";
const SPEC_URL = "/v1/openapi.json";
const TITLE = "PushBunny Edge API";

/**
 * Redoc styles itself with styled-components (inline <style> elements) and runs its search index
 * in a web worker built from a blob; nothing else is relaxed and no other origin is allowed.
 */
export const REDOC_CSP = withDirectives(DEFAULT_HTML_CSP, {
  "style-src": "'self' 'unsafe-inline'",
  "worker-src": "'self' blob:",
});

const SWAGGER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${TITLE}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${DOCS_ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-spec-url="${SPEC_URL}"></div>
<script src="${DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS}/swagger-init.js"></script></body></html>`;

const REDOC_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${TITLE}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="${SPEC_URL}"></redoc>
<script src="${DOCS_ASSETS}/redoc.standalone.js"></script></body></html>`;

/** Replaces whole directives of a Content-Security-Policy, keeping the others in order. */
function withDirectives(policy: string, replace: Record<string, string>): string {
  return policy
    .split("; ")
    .map((directive) => {
      const name = directive.split(" ", 1)[0] ?? "";
      const value = replace[name];
      return value === undefined ? directive : `${name} ${value}`;
    })
    .join("; ");
}

/** GET /v1/docs (Swagger UI) and GET /v1/redoc (Redoc), both reading /v1/openapi.json. */
export function registerDocsPages(app: App) {
  // The default HTML policy of the security-headers middleware applies unchanged.
  app.get("/v1/docs", (c) => c.html(SWAGGER_HTML));
  app.get("/v1/redoc", (c) => c.html(REDOC_HTML, 200, { "Content-Security-Policy": REDOC_CSP }));
}

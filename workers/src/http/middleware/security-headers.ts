import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";

/**
 * The policy every HTML page gets unless it sets its own: scripts and styles from this origin
 * only (no inline script, no CDN), no framing, no referrer to other origins. Pages that need
 * more (e.g. a hash for one inline script) set their own Content-Security-Policy header.
 */
export const DEFAULT_HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Hardening headers on every response; the HTML-only ones (CSP, frame protection) on pages.
 * Applied after the handler, so it covers routes added later without each one remembering.
 */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  let headers = c.res.headers;
  try {
    headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    // Responses passed through from fetch or an assets binding have immutable headers.
    c.res = new Response(c.res.body, c.res);
    headers = c.res.headers;
  }
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if ((headers.get("content-type") ?? "").startsWith("text/html")) {
    if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", DEFAULT_HTML_CSP);
    headers.set("X-Frame-Options", "DENY");
  }
});

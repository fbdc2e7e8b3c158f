import type { Context } from "hono";
import { Hono } from "hono";
import { AppError } from "../errors";
import type { App } from "../http/types";
import { createLogger, describeError } from "../logger";
import { anonymousLimiter, rateLimit } from "../ratelimit/middleware";
import { IMPORT_MAX_BYTES } from "../services/contacts/start-import";
import { IMMUTABLE, OWN_ASSETS } from "./assets";
import { page, SignInRequired } from "./context";
import { registerAdsPage } from "./pages/ads";
import { registerAuthPages } from "./pages/auth";
import { registerEmailPages } from "./pages/email";
import { registerExperimentPage } from "./pages/experiment";
import { registerExperimentListPage } from "./pages/experiments";
import { registerHomePage } from "./pages/home";
import { registerKeyPages } from "./pages/keys";
import { registerLinkPages } from "./pages/links";
import { registerProjectPages } from "./pages/projects";
import { registerPushPage } from "./pages/push";
import { registerSettingsPages } from "./pages/settings";
import { registerWebExperimentPages } from "./pages/web-experiments";
import { CSRF_FIELD, CSRF_HEADER, expectedCsrf, loadSession, sameOrigin, sameToken } from "./session";
import type { DashEnv } from "./types";

/**
 * The budgets of the pages: generous for a person clicking, tight enough that a script hammering
 * the HTML (each page is several D1 reads) is stopped. Per client address before sign-in, and per
 * person after, so one office behind one address still works.
 */
export const DASHBOARD_LIMITS = {
  perIp: { limit: 1_200, windowMs: 60_000 },
  perPerson: { limit: 300, windowMs: 60_000 },
  /**
   * htmx's progress polls (a sending row, a sync box, a pending generation: each every 4 s) have
   * their own budget, so a page of 20 rows still sending never locks its reader out of pages.
   */
  perPersonPolls: { limit: 900, windowMs: 60_000 },
} as const;

/** The largest form body the pages read. */
const FORM_MAX_BYTES = 16 * 1024;
/** The contacts import form carries a CSV file: the API's largest import plus multipart framing. */
const UPLOAD_MAX_BYTES = IMPORT_MAX_BYTES + 64 * 1024;
const UPLOAD_PATH = /^\/app\/p\/[^/]+\/email\/imports$/;

const PUBLIC_PATHS = new Set([
  "/app/sign-in",
  "/app/sign-up",
  "/app/verify-email",
  "/app/reset-password",
  "/app/sign-in/google",
  "/app/sign-in/google/callback",
]);

function ErrorPage(p: { status: number; title: string; message: string; signedIn: boolean }) {
  return (
    <section class="panel narrow" aria-labelledby="error-title">
      <h1 id="error-title">{p.title}</h1>
      <p>{p.message}</p>
      <p>
        <a href="/app">{p.signedIn ? "Back to your projects" : "Sign in"}</a>
      </p>
    </section>
  );
}

const TITLES: Record<number, string> = {
  400: "That request did not work",
  403: "Not allowed",
  404: "Not found",
  409: "Conflict",
  429: "Slow down",
  500: "Something went wrong",
  503: "Not available",
};

async function errorPage(c: Context<DashEnv>, status: number, message: string): Promise<Response> {
  const code = (TITLES[status] ? status : 500) as 400 | 403 | 404 | 409 | 429 | 500;
  return page(
    c,
    {
      title: TITLES[code] ?? "Error",
      children: (
        <ErrorPage
          status={code}
          title={TITLES[code] ?? "Error"}
          message={message}
          signedIn={!!c.get("session")}
        />
      ),
    },
    code,
  );
}

function toSignIn(c: Context<DashEnv>): Response {
  const url = new URL(c.req.url);
  const target = `/app/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`;
  if (c.req.header("hx-request") === "true") {
    c.header("HX-Redirect", target);
    return c.body(null, 401);
  }
  return c.redirect(target, 303);
}

/**
 * The dashboard at /app: server-rendered pages on the same services the API calls
 * (docs/adr/0021-dashboard-stack.md). Not in the OpenAPI document: these are pages, not operations.
 */
export function registerDashboard(app: App): void {
  const dash = new Hono<DashEnv>();

  // Our own stylesheet and script, before any session work: they are the same for everyone.
  dash.get("/static/:file", (c) => {
    const asset = Object.values(OWN_ASSETS).find((a) => a.path === c.req.path);
    if (!asset) return c.text("not found", 404);
    return c.body(asset.body, 200, { "Content-Type": asset.contentType, "Cache-Control": IMMUTABLE });
  });

  dash.use("*", rateLimit("dashboard", { perIp: DASHBOARD_LIMITS.perIp }));
  dash.use("*", async (c, next) => {
    const session = await loadSession(c);
    c.set("session", session);
    if (session) {
      const poll = c.req.method === "GET" && c.req.header("hx-request") === "true";
      const spent = await anonymousLimiter.limit(
        `dashboard:${poll ? "polls" : "person"}:${session.userId}`,
        poll ? DASHBOARD_LIMITS.perPersonPolls : DASHBOARD_LIMITS.perPerson,
        Date.now(),
      );
      if (!spent.success) {
        c.header("Retry-After", String(Math.ceil(spent.retryAfterMs / 1000)));
        return errorPage(c, 429, "Too many pages at once: wait a few seconds and reload.");
      }
    }
    // Nothing of a signed-out visitor's request is read beyond the public pages.
    if (!session && !PUBLIC_PATHS.has(c.req.path)) return toSignIn(c);
    if (c.req.method === "POST") {
      // Every form here is a few fields: a large body is not one of ours, and is not read. Only
      // a signed-in person's import form may carry a file.
      const length = Number(c.req.header("content-length") ?? Number.NaN);
      const max = session && UPLOAD_PATH.test(c.req.path) ? UPLOAD_MAX_BYTES : FORM_MAX_BYTES;
      if (!Number.isFinite(length) || length > max) {
        return errorPage(c, 400, "This form is too large, or was not sent by a browser.");
      }
      // CSRF: the browser's Origin must be ours (checked before the body is parsed), and the form
      // (or htmx's header) must echo the session's token. SameSite=Lax already keeps the cookie
      // off cross-site POSTs; these hold even where it does not (old browsers, same-site subdomains).
      const forbidden = () =>
        errorPage(c, 403, "This form expired or did not come from this site. Reload the page and try again.");
      if (!sameOrigin(c)) return forbidden();
      const form = await c.req.parseBody({ all: true });
      const field = form[CSRF_FIELD];
      const sent = c.req.header(CSRF_HEADER) ?? (typeof field === "string" ? field : undefined);
      if (!sameToken(sent, expectedCsrf(c, session))) return forbidden();
    }
    await next();
    // Pages show a person's data: never kept by a shared cache or the back-forward cache of another.
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });

  registerAuthPages(dash);
  registerProjectPages(dash);
  registerHomePage(dash);
  registerExperimentListPage(dash);
  registerExperimentPage(dash);
  registerPushPage(dash);
  registerAdsPage(dash);
  registerEmailPages(dash);
  registerWebExperimentPages(dash);
  registerKeyPages(dash);
  registerSettingsPages(dash);
  registerLinkPages(dash);
  dash.all("*", (c) => errorPage(c, 404, "There is no page here."));

  dash.onError((err, c) => {
    if (err instanceof SignInRequired) return toSignIn(c);
    if (err instanceof AppError && err.status < 500) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return errorPage(c, err.status, err.message);
    }
    const requestId = c.get("requestId") ?? "unknown";
    const logger = c.get("ctx")?.logger ?? createLogger("error", { requestId });
    logger.error("dashboard page failed", { method: c.req.method, path: c.req.path, ...describeError(err) });
    return errorPage(c, 500, `An error on our side; quote ${requestId} when reporting it.`);
  });

  app.route("/app", dash);
}

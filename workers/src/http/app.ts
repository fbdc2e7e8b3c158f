import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { getPath } from "hono/utils/url";
import { registerDashboard } from "../dashboard";
import { loadConfig } from "../env";
import { AppError, BadRequestError, type ErrorCode, errorBody, issuesFromZod } from "../errors";
import { createLogger, describeError } from "../logger";
import { routeLimits } from "../ratelimit/route-limits";
import { MemoTrieRouter } from "./memo-router";
import { allowedMethods } from "./method-not-allowed";
import { type OperationAccess, operationIndex, requireAccess } from "./middleware/auth";
import { requestContext } from "./middleware/request-id";
import { securityHeaders } from "./middleware/security-headers";
import { registerAdsRoutes } from "./routes/ads";
import { registerApiKeyRoutes } from "./routes/api-keys";
import { registerAuditRoutes } from "./routes/audit";
import { registerAuthRoutes } from "./routes/auth";
import { registerGoogleRoutes } from "./routes/auth/google";
import { registerCampaignRoutes } from "./routes/campaigns";
import { registerContactRoutes } from "./routes/contacts";
import { registerDevRoutes } from "./routes/dev";
import { registerEmailPublicPages } from "./routes/email-public";
import { registerPostEvents } from "./routes/events/post-events";
import { registerExperimentRoutes } from "./routes/experiments";
import { registerGitHubRoutes } from "./routes/github";
import { registerLimitRoutes } from "./routes/limits";
import { registerPostMessage } from "./routes/message/post-message";
import { registerResolveMessage } from "./routes/message/resolve-message";
import { registerPostMetric } from "./routes/metrics/post-metric";
import { registerProjectRoutes } from "./routes/projects";
import { registerPushRoutes } from "./routes/push";
import { registerBrowserPushRoutes } from "./routes/push/browser";
import { registerSegmentRoutes } from "./routes/segments";
import { registerGetStats } from "./routes/stats/get-stats";
import { registerSystemRoutes } from "./routes/system";
import { registerTemplateRoutes } from "./routes/templates";
import { registerVariantRoutes } from "./routes/variants";
import { registerWebRuntimeRoutes } from "./routes/web";
import { registerWebExperimentRoutes } from "./routes/web-experiments";
import { registerWebhookRoutes } from "./routes/webhooks";
import type { App, AppEnv } from "./types";

const PUBLIC_V1 = new Set(["/v1/openapi.json", "/v1/docs", "/v1/redoc"]);

const STATUS_CODE: Record<number, ErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

/** The Hono app: middleware, routes, OpenAPI document, one error envelope. */
export function createApp(): App {
  const app = new OpenAPIHono<AppEnv>({
    router: new MemoTrieRouter(),
    // "/v1/subscriptions/" is "/v1/subscriptions": the seed service documented trailing slashes.
    getPath: (req) => {
      const path = getPath(req);
      return path.length > 1 && path.endsWith("/") ? path.replace(/\/+$/, "") || "/" : path;
    },
    // Validation failures become the 400 envelope with one readable issue per field.
    defaultHook: (result) => {
      if (!result.success) throw BadRequestError.fromIssues(issuesFromZod(result.error));
    },
  });

  app.use("*", requestContext);
  app.use("*", securityHeaders);
  // Built once per configuration, not per request: it sits on every route's path.
  const corsFor = new WeakMap<object, MiddlewareHandler>();
  // The browser push routes take no credential and are called from the sites' own origins (a
  // site's service worker that imports ours posts receipts and subscriptions from there).
  const publicPushCors = cors({ origin: "*", allowHeaders: ["Content-Type"], maxAge: 86_400 });
  app.use("*", (c, next) => {
    if (c.req.path.startsWith("/push/")) return publicPushCors(c, next);
    const config = loadConfig(c.env);
    let handler = corsFor.get(config);
    if (!handler) {
      const origins = config.corsOrigins;
      handler = cors({
        origin: origins === "*" ? "*" : (origin) => (origins.includes(origin) ? origin : null),
        allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "X-Project-Id"],
        exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"],
        maxAge: 86_400,
      });
      corsFor.set(config, handler);
    }
    return handler(c, next);
  });
  // Each route declares its access level; the index is built from the registry once every
  // route is registered (first request), and the middleware checks it before the handler runs.
  let lookup: ((c: Parameters<MiddlewareHandler<AppEnv>>[0]) => OperationAccess | undefined) | undefined;
  const access = requireAccess((c) => {
    lookup ??= operationIndex(app.openAPIRegistry.definitions as never);
    return lookup(c);
  });
  // Limits run after access (the operation, the caller and the project decide which budgets a
  // request spends), chained in one middleware: each app.use is one more handler set the router
  // walks on every request.
  app.use("/v1/*", (c, next) => (PUBLIC_V1.has(c.req.path) ? next() : access(c, () => routeLimits(c, next))));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "A project API key (`pb_live_…`, `pb_test_…`), or a person's access token from POST /v1/auth/login with `X-Project-Id` naming the project",
  });

  registerSystemRoutes(app);
  registerAuthRoutes(app);
  registerGoogleRoutes(app);
  registerProjectRoutes(app);
  registerApiKeyRoutes(app);
  registerAuditRoutes(app);
  registerLimitRoutes(app);
  registerDevRoutes(app);
  registerPostMessage(app);
  registerPostEvents(app);
  registerResolveMessage(app);
  registerPostMetric(app);
  registerVariantRoutes(app);
  registerGetStats(app);
  registerExperimentRoutes(app);
  registerAdsRoutes(app);
  registerPushRoutes(app);
  registerBrowserPushRoutes(app);
  registerContactRoutes(app);
  registerSegmentRoutes(app);
  registerTemplateRoutes(app);
  registerCampaignRoutes(app);
  registerWebhookRoutes(app);
  registerGitHubRoutes(app);
  registerWebExperimentRoutes(app);
  registerWebRuntimeRoutes(app);
  registerEmailPublicPages(app);
  // Pages, not operations: outside the OpenAPI document (docs/adr/0021-dashboard-stack.md).
  registerDashboard(app);

  const methodsFor = allowedMethods(app);
  app.notFound((c) => {
    const requestId = c.get("requestId") ?? "unknown";
    const allow = methodsFor(c.req.path);
    if (allow.length > 0) {
      return c.json(
        errorBody(
          "METHOD_NOT_ALLOWED",
          `${c.req.method} is not supported on ${c.req.path}; use ${allow.filter((m) => m !== "HEAD" && m !== "OPTIONS").join(" or ")}`,
          requestId,
        ),
        405,
        { Allow: allow.join(", ") },
      );
    }
    return c.json(errorBody("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`, requestId), 404);
  });

  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    if (err instanceof AppError) {
      if (err.status >= 500 || err.cause !== undefined) {
        const logger = c.get("ctx")?.logger ?? createLogger("error", { requestId });
        logger.warn("request failed", {
          method: c.req.method,
          path: c.req.path,
          code: err.code,
          ...describeError(err),
        });
      }
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message, requestId, err.issues), err.status);
    }
    if (err instanceof HTTPException && err.status === 415) {
      return c.json(
        errorBody("BAD_REQUEST", "send a JSON body with 'Content-Type: application/json'", requestId),
        400,
      );
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = STATUS_CODE[err.status] ?? "BAD_REQUEST";
      const message = err.message || (code === "BAD_REQUEST" ? "malformed request" : code.toLowerCase());
      return c.json(errorBody(code, message, requestId), err.status as 400);
    }
    const logger = c.get("ctx")?.logger ?? createLogger("error", { requestId });
    logger.error("unhandled error", { method: c.req.method, path: c.req.path, ...describeError(err) });
    return c.json(
      errorBody("INTERNAL_SERVER_ERROR", "internal error; quote the requestId when reporting it", requestId),
      500,
    );
  });

  return app;
}

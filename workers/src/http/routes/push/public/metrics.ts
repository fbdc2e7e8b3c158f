import { createRoute, z } from "@hono/zod-openapi";
import { NotFoundError, UnauthorizedError } from "../../../../errors";
import { constantTimeEqual } from "../../../../push/identity";
import { rateLimit } from "../../../../ratelimit/middleware";
import { prometheusMetrics } from "../../../../services/push/prometheus-metrics";
import { ErrorEnvelope } from "../../../schemas";
import type { App } from "../../../types";
import { LIMITS } from "./limits";

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "getMetrics",
  tags: ["push-browser"],
  summary: "Prometheus metrics across projects (real traffic only), behind METRICS_TOKEN",
  security: [{ metricsToken: [] }],
  // A scraper needs one request a few seconds apart; anything faster is a token being guessed.
  middleware: [rateLimit("metrics", LIMITS.read)] as const,
  responses: {
    200: { description: "Text exposition 0.0.4", content: { "text/plain": { schema: z.string() } } },
    401: error("Missing or wrong metrics token"),
    404: error("METRICS_TOKEN is not set"),
    429: error("Too many requests from this address (with Retry-After)"),
  },
});

export function registerMetrics(app: App) {
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "METRICS_TOKEN (not an API key)",
  });
  app.openapi(metricsRoute, async (c) => {
    const ctx = c.get("ctx");
    if (!ctx.config.metricsToken)
      throw new NotFoundError("metrics are off: set METRICS_TOKEN to enable them");
    if (!constantTimeEqual(c.req.header("authorization") ?? "", `Bearer ${ctx.config.metricsToken}`)) {
      throw new UnauthorizedError("a metrics token is required");
    }
    return c.text(await prometheusMetrics(ctx), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
}

import { createRoute, z } from "@hono/zod-openapi";
import { getWebConfig } from "../../../services/web/get-web-config";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";

export const WebRuntimeConfig = z
  .object({
    experiments: z.array(
      z.object({
        key: z.string().openapi({ example: "pricing-cta" }),
        segments: z.array(z.object({ key: z.string(), traffic_percent: z.number() })),
        metrics: z.array(z.string()).openapi({ description: "Primary metric first" }),
      }),
    ),
    refresh_seconds: z.number().int().openapi({ example: 300 }),
  })
  .openapi("WebRuntimeConfig");

const route = createRoute({
  method: "get",
  path: "/v1/web/experiments",
  operationId: "getWebRuntimeConfig",
  "x-pushbunny-access": "message",
  tags: ["web"],
  summary: "The active web experiments, for the browser SDK",
  description:
    "Active experiments only, with each segment's traffic and the metrics they track. Served from KV (rewritten on every change); fetch again after refresh_seconds.",
  security: BEARER,
  responses: {
    200: { description: "The runtime config", content: { "application/json": { schema: WebRuntimeConfig } } },
    ...commonErrors,
  },
});

/** GET /v1/web/experiments */
export function registerGetWebConfig(app: App) {
  app.openapi(route, async (c) => {
    const config = await getWebConfig({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json(
      {
        experiments: config.experiments.map((e) => ({
          key: e.key,
          segments: e.segments.map((s) => ({ key: s.key, traffic_percent: s.trafficPercent })),
          metrics: e.metrics,
        })),
        refresh_seconds: config.refreshSeconds,
      },
      200,
    );
  });
}

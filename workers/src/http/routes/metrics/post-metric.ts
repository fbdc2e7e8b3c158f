import { createRoute, z } from "@hono/zod-openapi";
import { scopesGrant } from "../../../access/levels";
import { ForbiddenError } from "../../../errors";
import type { RateLimitRule } from "../../../ratelimit/interface";
import { rateLimit } from "../../../ratelimit/middleware";
import { recordMetric } from "../../../services/metrics/record-metric";
import { authenticatePrincipal } from "../../middleware/auth";
import { limitBody } from "../../middleware/limits";
import { commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { NO_AUTH, publicErrors } from "../push/shared";

/** Per client address, per isolate: a phone sends two metrics per notification. */
export const METRICS_PER_IP: RateLimitRule = { limit: 600, windowMs: 60_000 };

export const MetricRequest = z
  .object({
    variant_id: z.string().max(512).openapi({ description: "The variant_id POST /v1/resolve answered" }),
    event_type: z.enum(["sent", "clicked"]).openapi({
      description: "`sent`: the notification was shown (the impression); `clicked`: it was opened",
    }),
    timestamp: z
      .string()
      .max(64)
      .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO-8601 time such as 2026-12-06T12:01:12Z")
      .nullish()
      .openapi({ type: "string", example: "2026-12-06T12:01:12Z" }),
  })
  .openapi("MetricRequest");

export const MetricResponse = z
  .object({
    status: z.literal("ok"),
    recorded: z.boolean().openapi({ description: "false: nothing was stored (`reason` says why)" }),
    reason: z.string().optional(),
  })
  .openapi("MetricResponse");

const route = createRoute({
  method: "post",
  path: "/v1/metrics",
  operationId: "recordMetric",
  tags: ["mobile SDKs"],
  summary: "Record a notification sent or clicked (the mobile SDKs' wire format)",
  description:
    "UPSTREAM.md §B. No key needed: the variant id is a signed token that names its project and impression. `sent` counts the impression once (however often it is sent, and together with /v1/resolve's), `clicked` counts one open. An unknown or malformed variant id answers 200 with `recorded: false`, as the SDKs expect. An `Authorization: Bearer` key is accepted and checked; a project may require it (PATCH /v1/projects/{project_id} `metrics_require_key`). Limited to 600 requests a minute per address, 30 per variant id and 6,000 per variant.",
  security: NO_AUTH,
  middleware: [rateLimit("metrics", { perIp: METRICS_PER_IP }), limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: MetricRequest } } } },
  responses: {
    200: { description: "Accepted", content: { "application/json": { schema: MetricResponse } } },
    ...publicErrors,
    401: commonErrors[401],
    403: commonErrors[403],
    413: commonErrors[413],
    ...unavailable,
  },
});

/** POST /v1/metrics */
export function registerPostMetric(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    let callerProjectId: string | null = null;
    if (c.req.header("authorization") !== undefined) {
      const { principal } = await authenticatePrincipal(c);
      if (principal.kind !== "api_key") {
        throw new ForbiddenError("send the project's API key here, not a person's access token");
      }
      if (!scopesGrant(principal.scopes, "message")) {
        throw new ForbiddenError(
          "this API key lacks the 'message' scope needed for sending messages and events",
        );
      }
      callerProjectId = principal.projectId;
    }
    const outcome = await recordMetric({
      ctx: c.get("ctx"),
      callerProjectId,
      input: {
        variantId: b.variant_id,
        eventType: b.event_type,
        at: b.timestamp ? Date.parse(b.timestamp) : null,
      },
    });
    return c.json(
      outcome.recorded ? { status: "ok" as const, recorded: true } : { status: "ok" as const, ...outcome },
      200,
    );
  });
}

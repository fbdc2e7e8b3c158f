import { createRoute, z } from "@hono/zod-openapi";
import { recordWebExposure } from "../../../services/web/record-web-exposure";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope, notFound, unavailable } from "../../schemas";
import type { App } from "../../types";
import { perAddress, WEB_EXPOSURES_PER_IP } from "./limits";

export const WebExposureRequest = z
  .strictObject({
    experiment: z.string().min(1).max(200).openapi({ example: "pricing-cta" }),
    anonymous_id: z
      .string()
      .max(1_000)
      .openapi({ description: "The SDK's visitor id, 1 to 128 printable characters", example: "a1b2c3d4" }),
  })
  .openapi("WebExposureRequest");

export const WebExposureResponse = z
  .object({
    experiment: z.string(),
    segment: z.string().openapi({ description: "Computed by the server with the SDK's sticky hash" }),
    tracking_token: z.string().openapi({ description: "Send it with the visitor's metric events" }),
  })
  .openapi("WebExposureResponse");

const route = createRoute({
  method: "post",
  path: "/v1/web/exposures",
  operationId: "recordWebExposure",
  "x-pushbunny-access": "message",
  tags: ["web"],
  summary: "Record that a visitor saw an active web experiment",
  description: `The server assigns the segment (the same sticky, traffic-weighted hash as the SDK), never the caller. A repeated exposure of the same visitor is the same impression and counts once. Limited to ${WEB_EXPOSURES_PER_IP.limit} requests a minute per address and project, beside the key's \`message\` budget.`,
  security: BEARER,
  middleware: [perAddress("exposure", WEB_EXPOSURES_PER_IP), limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: WebExposureRequest } } } },
  responses: {
    200: {
      description: "The segment and its tracking token",
      content: { "application/json": { schema: WebExposureResponse } },
    },
    ...commonErrors,
    ...notFound,
    409: {
      description: "The experiment is not active",
      content: { "application/json": { schema: ErrorEnvelope } },
    },
    ...unavailable,
  },
});

/** POST /v1/web/exposures */
export function registerPostWebExposure(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const out = await recordWebExposure({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experiment: b.experiment, anonymousId: b.anonymous_id },
    });
    return c.json(
      { experiment: out.experiment, segment: out.segment, tracking_token: out.trackingToken },
      200,
    );
  });
}

import { z } from "@hono/zod-openapi";
import { MAX_EVENTS_PER_REQUEST } from "../../../services/events/ingest-events";
import { recordWebEvents } from "../../../services/web/record-web-events";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { EventsResponse } from "../events/post-events";
import { readEventBatch } from "../events/read-batch";
import { perAddress, WEB_EVENTS_PER_IP } from "./limits";

export const WebEventInput = z
  .object({
    tracking_token: z
      .string()
      .openapi({ description: "From POST /v1/web/exposures", example: "trk_v1.prj_…" }),
    event: z.string().openapi({ description: "A metric the experiment tracks", example: "signup" }),
    timestamp: z.number().int().openapi({ description: "Unix milliseconds (UTC)", example: 1763769600000 }),
    properties: z.record(z.string(), z.string()).optional(),
  })
  .openapi("WebEventInput");

const MAX_BODY_BYTES = 1024 * 1024;

/** POST /v1/web/events — per-event validation like /v1/events, so documented here and checked by hand. */
export function registerPostWebEvents(app: App) {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/web/events",
    operationId: "recordWebEvents",
    "x-pushbunny-access": "message",
    tags: ["web"],
    summary: "Record web experiment metrics",
    description: `\`{ "events": [...] }\` with up to ${MAX_EVENTS_PER_REQUEST} events. Each token must be of an active web experiment of this project that tracks the event; the primary metric counts as a conversion. Rejected events are listed by index with a reason and do not block the rest; the same (token, event) again never double counts. Limited to ${WEB_EVENTS_PER_IP.limit} requests a minute per address and project, beside the key's \`events\` budget.`,
    security: BEARER,
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: z.object({ events: z.array(WebEventInput) }) } },
      },
    },
    responses: {
      200: { description: "What was recorded", content: { "application/json": { schema: EventsResponse } } },
      ...commonErrors,
      ...unavailable,
    },
  });

  app.post("/v1/web/events", perAddress("event", WEB_EVENTS_PER_IP), limitBody(MAX_BODY_BYTES), async (c) => {
    const events = await readEventBatch(c, { bareArray: false });
    const result = await recordWebEvents({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: events,
    });
    return c.json(result, 200);
  });
}

import { z } from "@hono/zod-openapi";
import { ingestEvents, MAX_EVENTS_PER_REQUEST } from "../../../services/events/ingest-events";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { readEventBatch } from "./read-batch";

export const EventInput = z
  .object({
    type: z.enum(["opened", "conversion"]),
    tracking_token: z.string().openapi({ example: "trk_v1.prj_…" }),
    timestamp: z.number().int().openapi({ description: "Unix milliseconds (UTC)", example: 1763769600000 }),
    properties: z.record(z.string(), z.string()).optional(),
  })
  .openapi("EventInput");

export const EventsResponse = z
  .object({
    recorded: z.number().int().openapi({ description: "Events accepted and queued" }),
    total: z.number().int(),
    rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  })
  .openapi("EventsResponse");

const MAX_BODY_BYTES = 1024 * 1024;

/** POST /v1/events — per-event validation, so it is documented here and validated by hand. */
export function registerPostEvents(app: App) {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/events",
    operationId: "recordEvents",
    "x-pushbunny-access": "message",
    tags: ["events"],
    summary: "Record opens and conversions",
    description: `A JSON array (or \`{ "events": [...] }\`) of up to ${MAX_EVENTS_PER_REQUEST} events. Each event is checked on its own; rejected ones are listed by index with a reason and do not block the rest. Delivering the same (token, type) again never double counts.`,
    security: BEARER,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.union([z.array(EventInput), z.object({ events: z.array(EventInput) })]),
          },
        },
      },
    },
    responses: {
      200: { description: "What was recorded", content: { "application/json": { schema: EventsResponse } } },
      ...commonErrors,
      ...unavailable,
    },
  });

  app.post("/v1/events", limitBody(MAX_BODY_BYTES), async (c) => {
    const events = await readEventBatch(c, { bareArray: true });
    const result = await ingestEvents({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: events,
    });
    return c.json(result, 200);
  });
}

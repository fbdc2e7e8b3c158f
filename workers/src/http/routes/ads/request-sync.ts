import { createRoute, z } from "@hono/zod-openapi";
import { requestSync } from "../../../services/ads/request-sync";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { Channel, conflict, json, RunView } from "./schemas";
import { runJson } from "./views";

export const RequestSyncBody = z
  .strictObject({ channels: z.array(Channel).min(1).max(4).optional() })
  .openapi("RequestAdSync");

export const requestSyncRoute = createRoute({
  method: "post",
  path: "/v1/ads/sync",
  operationId: "runAdSync",
  "x-pushbunny-access": "write",
  tags: ["ads"],
  summary: "Sync now (all connected channels, or the ones named)",
  description:
    "Queues a run and answers 202 with it; follow it in /v1/ads/sync/runs/{run_id}. Works while the schedule is paused.",
  security: BEARER,
  middleware: [limitBody(4 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    body: { required: false, content: { "application/json": { schema: RequestSyncBody } } },
  },
  responses: {
    202: json("The queued run", RunView),
    ...commonErrors,
    ...conflict("No channel (or a named one) is connected"),
  },
});

/** POST /v1/ads/sync */
export function registerRequestSync(app: App) {
  app.openapi(requestSyncRoute, async (c) => {
    const body = c.req.valid("json");
    const run = await requestSync({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { trigger: "manual", ...(body?.channels ? { channels: body.channels } : {}) },
    });
    return c.json(runJson(run), 202);
  });
}

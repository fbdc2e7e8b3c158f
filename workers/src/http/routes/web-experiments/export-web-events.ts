import { createRoute } from "@hono/zod-openapi";
import { exportWebEvents } from "../../../services/web-experiments/export-web-events";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebEventsPage, WebEventsQuery, WebKeyParams } from "./schemas";
import { toWebEventsView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/web-experiments/{key}/events",
  operationId: "exportWebExperimentEvents",
  "x-pushbunny-access": "read",
  tags: ["web-experiments"],
  summary: "Raw exposures and metric events, oldest first",
  description:
    "Page with `limit` and `cursor` (next_cursor); previews were never sent, so they are not here.",
  security: BEARER,
  request: { params: WebKeyParams, query: WebEventsQuery },
  responses: {
    200: { description: "A page of events", content: { "application/json": { schema: WebEventsPage } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/web-experiments/{key}/events */
export function registerExportWebEvents(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await exportWebEvents({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { key: c.req.valid("param").key, limit: q.limit, cursor: q.cursor },
    });
    return c.json(toWebEventsView(page), 200);
  });
}

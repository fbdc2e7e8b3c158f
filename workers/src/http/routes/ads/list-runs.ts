import { createRoute, z } from "@hono/zod-openapi";
import { SYNC_RUN_STATUSES } from "@pushbunny/db";
import { listSyncRuns } from "../../../services/ads/list-runs";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { Cursor, InstantQuery, json, Limit, NextCursor, RunView } from "./schemas";
import { runJson } from "./views";

export const ListRunsQuery = z.object({
  status: z.enum(SYNC_RUN_STATUSES).optional(),
  trigger: z.enum(["schedule", "manual", "retry"]).optional(),
  queued_from: InstantQuery.optional().openapi({ description: "Runs queued at or after this instant" }),
  queued_to: InstantQuery.optional().openapi({ description: "Runs queued before this instant" }),
  limit: Limit(20, 100),
  cursor: Cursor,
});

export const listRunsRoute = createRoute({
  method: "get",
  path: "/v1/ads/sync/runs",
  operationId: "listAdSyncRuns",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "Sync runs, newest first, with each channel's outcome and failure cause",
  description: "Page with `limit` and `cursor` (the previous page's `next_cursor`).",
  security: BEARER,
  request: { query: ListRunsQuery },
  responses: {
    200: json(
      "A page of runs",
      z.object({ runs: z.array(RunView), next_cursor: NextCursor }).openapi("AdSyncRunPage"),
    ),
    ...commonErrors,
  },
});

/** GET /v1/ads/sync/runs */
export function registerListRuns(app: App) {
  app.openapi(listRunsRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listSyncRuns({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        ...(q.status ? { status: q.status } : {}),
        ...(q.trigger ? { trigger: q.trigger } : {}),
        ...(q.queued_from !== undefined ? { queuedFrom: q.queued_from } : {}),
        ...(q.queued_to !== undefined ? { queuedTo: q.queued_to } : {}),
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      },
    });
    return c.json({ runs: page.runs.map(runJson), next_cursor: page.nextCursor }, 200);
  });
}

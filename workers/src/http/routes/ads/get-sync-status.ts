import { createRoute } from "@hono/zod-openapi";
import { getSyncStatus } from "../../../services/ads/get-sync-status";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { json, SyncStatus } from "./schemas";
import { statusJson } from "./views";

export const getSyncStatusRoute = createRoute({
  method: "get",
  path: "/v1/ads/sync/status",
  operationId: "getAdSyncStatus",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "Schedule, next run, channels and the last runs",
  security: BEARER,
  responses: { 200: json("The sync status", SyncStatus), ...commonErrors },
});

/** GET /v1/ads/sync/status */
export function registerGetSyncStatus(app: App) {
  app.openapi(getSyncStatusRoute, async (c) => {
    const status = await getSyncStatus({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json(statusJson(status), 200);
  });
}

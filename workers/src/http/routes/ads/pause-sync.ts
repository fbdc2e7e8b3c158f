import { createRoute } from "@hono/zod-openapi";
import { setSyncPaused } from "../../../services/ads/set-sync-paused";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { json, SyncStatus } from "./schemas";
import { statusJson } from "./views";

export const pauseSyncRoute = createRoute({
  method: "post",
  path: "/v1/ads/sync/pause",
  operationId: "pauseAdSync",
  "x-pushbunny-access": "write",
  tags: ["ads"],
  summary: "Pause the hourly sync for this project",
  security: BEARER,
  responses: { 200: json("The sync status", SyncStatus), ...commonErrors },
});

/** POST /v1/ads/sync/pause */
export function registerPauseSync(app: App) {
  app.openapi(pauseSyncRoute, async (c) => {
    const status = await setSyncPaused({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { paused: true },
    });
    return c.json(statusJson(status), 200);
  });
}

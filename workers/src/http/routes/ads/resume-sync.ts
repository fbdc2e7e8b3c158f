import { createRoute } from "@hono/zod-openapi";
import { setSyncPaused } from "../../../services/ads/set-sync-paused";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { json, SyncStatus } from "./schemas";
import { statusJson } from "./views";

export const resumeSyncRoute = createRoute({
  method: "post",
  path: "/v1/ads/sync/resume",
  operationId: "resumeAdSync",
  "x-pushbunny-access": "write",
  tags: ["ads"],
  summary: "Resume the hourly sync for this project",
  security: BEARER,
  responses: { 200: json("The sync status", SyncStatus), ...commonErrors },
});

/** POST /v1/ads/sync/resume */
export function registerResumeSync(app: App) {
  app.openapi(resumeSyncRoute, async (c) => {
    const status = await setSyncPaused({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { paused: false },
    });
    return c.json(statusJson(status), 200);
  });
}

import { createRoute } from "@hono/zod-openapi";
import { openCampaignLive } from "../../../services/campaigns/live";
import { BEARER, commonErrors, ErrorEnvelope, notFound } from "../../schemas";
import type { App } from "../../types";
import { CampaignIdParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/campaigns/{campaign_id}/live",
  operationId: "openCampaignLive",
  "x-pushbunny-access": "read",
  tags: ["campaigns"],
  summary: "Live counters of a campaign over a WebSocket",
  description: [
    "A WebSocket (send `Upgrade: websocket` and the bearer key). The server sends JSON text frames",
    '`{"type":"counts","campaign_id":…,"status":…,"counts":{"recipients":N,"queued":N,"sent":N,',
    '"delivered":N,"opened":N,"clicked":N,"bounced":N,"complained":N,"failed":N,"skipped":N},"at":"<ISO>"}`:',
    "one on connect, then one on each change (at most 4 a second). After the last frame of a sent or",
    "cancelled campaign it closes with 1000. Any text sent asks for the counts again.",
    "`sent` counts every message the provider accepted (delivered, opened, clicked … included);",
    "`opened` and `clicked` count human opens and clicks.",
  ].join(" "),
  security: BEARER,
  request: { params: CampaignIdParam },
  responses: {
    101: { description: "Switching Protocols: the WebSocket of counts frames" },
    426: {
      description: "Not a WebSocket upgrade",
      content: { "application/json": { schema: ErrorEnvelope } },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/campaigns/{campaign_id}/live */
export function registerOpenCampaignLive(app: App) {
  app.openapi(route, (c) =>
    openCampaignLive(c.get("ctx"), c.get("owner").projectId, c.req.valid("param").campaign_id, c.req.raw),
  );
}

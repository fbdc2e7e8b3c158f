import { createRoute, z } from "@hono/zod-openapi";
import { listAdAlerts } from "../../../services/ads/list-alerts";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { AlertKind, AlertState, AlertView } from "./insight-schemas";
import { alertJson } from "./insight-views";
import { Channel, Cursor, json, Limit, NextCursor } from "./schemas";

export const ListAlertsQuery = z.object({
  state: AlertState.optional(),
  kind: AlertKind.optional(),
  channel: Channel.optional(),
  campaign_id: z.string().min(1).max(64).optional(),
  limit: Limit(20, 100),
  cursor: Cursor,
});

export const listAlertsRoute = createRoute({
  method: "get",
  path: "/v1/ads/alerts",
  operationId: "listAdAlerts",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "Ad alerts (spend spike, ROAS drop, conversions stop), newest first",
  description:
    "One alert per (rule, channel, campaign, day); while it is open or acknowledged, later syncs update it instead of opening another, and resolve it (`resolved_by: auto`) once the condition clears. Page with `limit` and `cursor`.",
  security: BEARER,
  request: { query: ListAlertsQuery },
  responses: {
    200: json(
      "A page of alerts",
      z.object({ alerts: z.array(AlertView), next_cursor: NextCursor }).openapi("AdAlertPage"),
    ),
    ...commonErrors,
  },
});

/** GET /v1/ads/alerts */
export function registerListAlerts(app: App) {
  app.openapi(listAlertsRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listAdAlerts({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        ...(q.state ? { state: q.state } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.campaign_id ? { campaignId: q.campaign_id } : {}),
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      },
    });
    return c.json({ alerts: page.alerts.map(alertJson), next_cursor: page.nextCursor }, 200);
  });
}

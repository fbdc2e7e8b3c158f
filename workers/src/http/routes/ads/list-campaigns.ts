import { createRoute, z } from "@hono/zod-openapi";
import { listCampaigns } from "../../../services/ads/list-campaigns";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { CampaignRow, Channel, Cursor, Day, json, Limit, NextCursor } from "./schemas";
import { campaignJson } from "./views";

export const ListCampaignsQuery = z.object({
  channel: Channel.optional(),
  campaign_id: z.string().trim().min(1).max(64).optional(),
  date_from: Day.optional().openapi({ description: "First day, inclusive" }),
  date_to: Day.optional().openapi({ description: "Last day, inclusive" }),
  limit: Limit(100, 500),
  cursor: Cursor,
});

export const listCampaignsRoute = createRoute({
  method: "get",
  path: "/v1/ads/campaigns",
  operationId: "listAdCampaigns",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "Campaign metrics per day, newest first",
  description: "Page with `limit` and `cursor` (the previous page's `next_cursor`).",
  security: BEARER,
  request: { query: ListCampaignsQuery },
  responses: {
    200: json(
      "A page of rows",
      z.object({ campaigns: z.array(CampaignRow), next_cursor: NextCursor }).openapi("AdCampaignPage"),
    ),
    ...commonErrors,
  },
});

/** GET /v1/ads/campaigns */
export function registerListCampaigns(app: App) {
  app.openapi(listCampaignsRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listCampaigns({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.campaign_id ? { campaignId: q.campaign_id } : {}),
        ...(q.date_from ? { dateFrom: q.date_from } : {}),
        ...(q.date_to ? { dateTo: q.date_to } : {}),
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      },
    });
    return c.json({ campaigns: page.campaigns.map(campaignJson), next_cursor: page.nextCursor }, 200);
  });
}

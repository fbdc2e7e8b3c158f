import { createRoute, z } from "@hono/zod-openapi";
import { listCampaigns } from "../../../services/campaigns/list-campaigns";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { CampaignView, campaignView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/campaigns",
  operationId: "listCampaigns",
  "x-pushbunny-access": "read",
  tags: ["campaigns"],
  summary: "Email campaigns, newest first",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ campaigns: z.array(CampaignView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/campaigns */
export function registerListCampaigns(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listCampaigns({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ campaigns: page.campaigns.map(campaignView), next_cursor: page.nextCursor }, 200);
  });
}

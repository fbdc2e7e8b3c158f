import { createRoute } from "@hono/zod-openapi";
import { getCampaign } from "../../../services/campaigns/get-campaign";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { CampaignIdParam, campaignResponse, campaignView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/campaigns/{campaign_id}",
  operationId: "getCampaign",
  "x-pushbunny-access": "read",
  tags: ["campaigns"],
  summary: "Read a campaign with its status and counters",
  security: BEARER,
  request: { params: CampaignIdParam },
  responses: { 200: campaignResponse("The campaign"), ...commonErrors, ...notFound },
});

/** GET /v1/campaigns/{campaign_id} */
export function registerGetCampaign(app: App) {
  app.openapi(route, async (c) => {
    const campaign = await getCampaign({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { campaignId: c.req.valid("param").campaign_id },
    });
    return c.json(campaignView(campaign), 200);
  });
}

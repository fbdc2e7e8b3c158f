import { createRoute } from "@hono/zod-openapi";
import { deleteCampaign } from "../../../services/campaigns/delete-campaign";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { CampaignIdParam, conflict } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/campaigns/{campaign_id}",
  operationId: "deleteCampaign",
  "x-pushbunny-access": "write",
  tags: ["campaigns"],
  summary: "Delete a draft or cancelled campaign",
  security: BEARER,
  request: { params: CampaignIdParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound, ...conflict },
});

/** DELETE /v1/campaigns/{campaign_id} */
export function registerDeleteCampaign(app: App) {
  app.openapi(route, async (c) => {
    await deleteCampaign({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { campaignId: c.req.valid("param").campaign_id },
    });
    return c.body(null, 204);
  });
}
